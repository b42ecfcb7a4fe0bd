using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text;
using CompositeGateway.Lab;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Security;

/// <summary>
/// The real <c>composite-gateway</c> process at debug level, its inbound secrets from the environment and from files:
/// a journey with wrong and right credentials, then every byte it wrote (stdout, stderr, <c>check-config</c>, every
/// answer body and header) is searched for each secret in every form a client sends it.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class SecretNeverLeaksTests
{
    [Test]
    public async Task DebugJourney_WrongAndRightCredentials_NoSecretInAnyOutput()
    {
        var folder = Path.Combine(Path.GetTempPath(), "cg-leak-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        await using var cluster = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = "lab-0", Listen = "127.0.0.1:0" }, TimeProvider.System, CancellationToken.None);
        var peerToken = "peertoken" + Guid.NewGuid().ToString("N");
        var dashPassword = "dashpass" + Guid.NewGuid().ToString("N");
        var adminToken = "admintoken" + Guid.NewGuid().ToString("N");
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("dash:" + dashPassword));
        File.WriteAllText(Path.Combine(folder, "dash.secret"), $"basic:dash:{dashPassword}\n");
        File.WriteAllText(Path.Combine(folder, "admin.token"), adminToken + "\n");
        var config = Path.Combine(folder, "gateway.yaml");
        File.WriteAllText(config, $"""
            listen: 127.0.0.1:0
            admin_listen: 127.0.0.1:0
            admin_auth:
              token_file: admin.token
            underclusters:
              - name: lab
                url: {cluster.BaseAddress}
            kubo_rpc:
              authorizations:
                peer: {"{"} secret_env: GW_PEER_SECRET, allowed_paths: ["/api/v0"] {"}"}
                dash: {"{"} secret_file: dash.secret, allowed_paths: ["/api/v0/pin/ls", "/api/v0/id"] {"}"}
            """);
        var environment = new Dictionary<string, string> { ["GW_PEER_SECRET"] = "bearer:" + peerToken };
        var secrets = new[] { peerToken, dashPassword, adminToken, basic };
        var everything = new StringBuilder();

        try
        {
            var check = await ExternalTool.RunAsync(Dotnet, [Dll, "check-config", "--config", config], folder, environment);
            Assert.That(check.ExitCode, Is.Zero, check.ToString());
            everything.Append(check.Stdout).Append(check.Stderr);

            var start = new ProcessStartInfo(Dotnet, [Dll, "run", "--config", config, "--log-level", "debug"]) { WorkingDirectory = folder };
            start.Environment["GW_PEER_SECRET"] = "bearer:" + peerToken;
            var output = new StringBuilder();
            using var process = GatewayListeners.StartLogged(start, output);
            try
            {
                var (kubo, admin) = await GatewayListeners.WaitAsync(output);
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
                async Task Call(string url, string? authorization, HttpContent? body = null)
                {
                    using var request = new HttpRequestMessage(body is null && url.Contains("/api/", StringComparison.Ordinal) ? HttpMethod.Post : body is null ? HttpMethod.Get : HttpMethod.Post, url) { Content = body };
                    if (authorization is not null)
                    {
                        request.Headers.TryAddWithoutValidation("Authorization", authorization);
                    }

                    try
                    {
                        using var response = await http.SendAsync(request);
                        everything.Append(response.Headers).Append(response.Content.Headers).Append(await response.Content.ReadAsStringAsync());
                    }
                    catch (HttpRequestException e)
                    {
                        everything.Append(e.Message);
                    }
                }

                var cid = Functional.TestEnvironment.NewCid();
                foreach (var wrong in new[] { "Bearer " + peerToken + "x", "Basic " + basic[..^2], "Bearer " + adminToken, "bearer:" + peerToken, peerToken })
                {
                    await Call($"{kubo}api/v0/id", wrong);
                    await Call($"{kubo}api/v0/add", wrong, new MultipartFormDataContent { { new StringContent("leak check"), "file", "a" } });
                    await Call($"{admin}ready", wrong);
                }

                await Call($"{kubo}api/v0/pin/add?arg={cid}", "Bearer " + peerToken);
                await Call($"{kubo}api/v0/pin/ls?arg={cid}", "Basic " + basic);
                await Call($"{kubo}api/v0/pin/rm?arg={cid}", "Basic " + basic);
                await Call($"{kubo}api/v0/id", "Bearer " + peerToken);
                await Call($"{admin}ready", "Bearer " + adminToken);
                await Call($"{admin}metrics", "Bearer " + adminToken);
                await Call($"{admin}health", null);
                Assert.That(cluster.GetPin(cid), Is.Not.Null, "the right bearer pinned");
            }
            finally
            {
                // SIGTERM, as an operator stops it, so shutdown lines are searched too.
                await ExternalTool.RunAsync("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                await process.WaitForExitAsync(stop.Token);
                lock (output)
                {
                    everything.Append(output);
                }
            }

            var text = everything.ToString();
            Assert.Multiple(() =>
            {
                Assert.That(text, Does.Contain("Refused a request"), "the journey's refusals are in the log");
                Assert.That(text, Does.Contain("dbug:").Or.Contain("Debug"), "the process ran at debug level");
                foreach (var secret in secrets)
                {
                    Assert.That(text.Contains(secret, StringComparison.Ordinal), Is.False, $"a secret ({secret.Length} chars) appears in the output");
                }
            });
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    private static string Dll => Path.Combine(AppContext.BaseDirectory, "composite-gateway.dll");
}
