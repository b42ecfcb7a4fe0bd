using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text;
using CompositeGateway.Lab;
using CompositeGateway.Lab.Connector;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Functional.Security;

/// <summary>
/// Never leak (docs/security-outbound.md): the real <c>composite-gateway run</c> process at <c>--log-level debug</c> in front of
/// four emulated underclusters — Basic and JWT, each with the right and with a wrong password — through a whole
/// journey (pins, listings, unpins, errors, token renewals), then <c>check-config</c>. Every byte the processes wrote,
/// every answer the Kubo client got and the admin endpoints' bodies are searched for each password, each Basic
/// header value and each token the undercluster issued.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class SecretLeakTests
{
    private const string BasicPassword = "basic-pw-5b1e9d";
    private const string JwtPassword = "jwt-pw-c04f27";
    private const string WrongBasicPassword = "wrong-basic-pw-77aa01";
    private const string WrongJwtPassword = "wrong-jwt-pw-3e9f60";

    [Test]
    public async Task FullJourneyAtDebugLevel_NoSecretOrTokenInAnyOutput()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "composite-gateway.dll");
        var folder = Path.Combine(Path.GetTempPath(), "cg-leak-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        await using var basic = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = "basic", BasicAuth = new Dictionary<string, string> { ["gw-basic"] = BasicPassword } });
        await using var jwt = await EmulatedCluster.StartAsync(new EmulatedClusterOptions
        {
            Name = "jwt",
            BasicAuth = new Dictionary<string, string> { ["gw-jwt"] = JwtPassword },
            TokenLifetime = TimeSpan.FromSeconds(1),
            RequireBearer = true,
        });
        await using var basicWrong = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = "basic-wrong", BasicAuth = new Dictionary<string, string> { ["gw-basic"] = "the-real-one" } });
        await using var jwtWrong = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = "jwt-wrong", BasicAuth = new Dictionary<string, string> { ["gw-jwt"] = "the-real-one" } });
        var passwordFile = Path.Combine(folder, "jwt.pw");
        await File.WriteAllTextAsync(passwordFile, JwtPassword + "\n");
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var (kuboPort, adminPort) = (LoopbackPorts.Free(), LoopbackPorts.Free());
        var config = Path.Combine(folder, "gateway.yaml");
        await File.WriteAllTextAsync(config, $"""
            listen: "127.0.0.1:{kuboPort}"
            admin_listen: "127.0.0.1:{adminPort}"
            health: {"{"} probe_interval: 200ms, ready_within: 1s {"}"}
            placement: {"{"} policy: replicate, quorum: 2 {"}"}
            pin_path: {"{"} poll_interval: 50ms, unreachable_after: 1s {"}"}
            underclusters:
              - name: basic
                url: "{basic.BaseAddress}"
                auth: {"{"} username: gw-basic, password_env: LEAK_BASIC {"}"}
              - name: jwt
                url: "{jwt.BaseAddress}"
                auth: {"{"} mode: jwt, username: gw-jwt, password_file: jwt.pw {"}"}
              - name: basic-wrong
                url: "{basicWrong.BaseAddress}"
                required: false
                auth: {"{"} username: gw-basic, password_env: LEAK_BASIC_WRONG {"}"}
              - name: jwt-wrong
                url: "{jwtWrong.BaseAddress}"
                required: false
                auth: {"{"} mode: jwt, username: gw-jwt, password_env: LEAK_JWT_WRONG {"}"}
            """);
        var environment = new Dictionary<string, string>
        {
            ["LEAK_BASIC"] = BasicPassword,
            ["LEAK_BASIC_WRONG"] = WrongBasicPassword,
            ["LEAK_JWT_WRONG"] = WrongJwtPassword,
        };

        var seen = new StringBuilder();
        var output = new StringBuilder();
        using (var gateway = Start(dll, folder, environment, output, "run", "--config", config, "--log-level", "debug"))
        {
            try
            {
                await WaitForAsync(new Uri($"http://127.0.0.1:{adminPort}/health"), gateway, output);
                seen.Append(await JourneyAsync(new Uri($"http://127.0.0.1:{kuboPort}/"), new Uri($"http://127.0.0.1:{adminPort}/"), basic, jwt));
            }
            finally
            {
                using (var kill = Process.Start("kill", ["-TERM", gateway.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
                {
                    await kill.WaitForExitAsync();
                }

                using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                await gateway.WaitForExitAsync(exit.Token);
            }
        }

        using (var check = Start(dll, folder, environment, output, "check-config", "--config", config))
        {
            await check.WaitForExitAsync();
        }

        var everything = output.ToString() + seen;
        var secrets = new List<(string What, string Value)>
        {
            ("basic password", BasicPassword),
            ("jwt password", JwtPassword),
            ("wrong basic password", WrongBasicPassword),
            ("wrong jwt password", WrongJwtPassword),
        };
        foreach (var (user, password) in new[] { ("gw-basic", BasicPassword), ("gw-jwt", JwtPassword), ("gw-basic", WrongBasicPassword), ("gw-jwt", WrongJwtPassword) })
        {
            secrets.Add(($"Basic value of {password}", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password))));
        }

        foreach (var token in jwt.State.Tokens.IssuedTokens)
        {
            secrets.Add(("token", token));
            secrets.Add(("token signature", token.Split('.')[2]));
        }

        Directory.Delete(folder, recursive: true);
        TestContext.Out.WriteLine($"searched {everything.Length} characters ({output.Length} of process output at debug level) for {secrets.Count} secrets; {jwt.State.Tokens.Issued} tokens issued");
        Assert.Multiple(() =>
        {
            Assert.That(jwt.State.Tokens.Issued, Is.GreaterThanOrEqualTo(2), "the journey outlived a token: a renewal was exercised");
            Assert.That(output.ToString(), Does.Contain("dbug:").Or.Contain("Debug"), "debug lines were written");
            Assert.That(output.ToString(), Does.Contain("basic-wrong").And.Contain("jwt-wrong"), "the wrong credentials' failures were logged");
            foreach (var (what, value) in secrets)
            {
                Assert.That(everything, Does.Not.Contain(value), what);
            }
        });
    }

    /// <summary>What a Kubo client and an operator see: every answer body, concatenated.</summary>
    private static async Task<string> JourneyAsync(Uri kubo, Uri admin, EmulatedCluster basic, EmulatedCluster jwt)
    {
        var seen = new StringBuilder();
        using var go = new GoIpfsConnector(kubo);
        using var http = new HttpClient { BaseAddress = kubo, Timeout = TimeSpan.FromSeconds(30) };
        using var adminHttp = new HttpClient { BaseAddress = admin, Timeout = TimeSpan.FromSeconds(30) };
        var cids = TestEnvironment.NewCids(3);
        var stopwatch = Stopwatch.StartNew();
        foreach (var cid in cids)
        {
            seen.Append(await go.PinAsync(cid)).Append('\n');
        }

        // Past two token lifetimes, so the JWT undercluster's token is renewed mid-journey.
        while (stopwatch.Elapsed < TimeSpan.FromSeconds(2.5))
        {
            seen.Append(await go.PinLsCidAsync(cids[0])).Append('\n');
            await Task.Delay(100);
        }

        Assert.That(cids.Where(c => basic.GetPin(c) is null || jwt.GetPin(c) is null), Is.Empty,
            "pins reached both underclusters with good credentials:\n" + seen);
        foreach (var path in new[]
        {
            "api/v0/id", "api/v0/version", $"api/v0/pin/ls?arg={cids[1]}", "api/v0/pin/ls?type=recursive", "api/v0/repo/stat",
            $"api/v0/pin/rm?arg={cids[2]}", "api/v0/pin/add?arg=not-a-cid", "api/v0/pin/frobnicate", $"api/v0/pin/update?arg={cids[0]}&arg={cids[2]}",
            $"api/v0/pin/add?arg={TestEnvironment.NewCid()}",
        })
        {
            using var response = await http.PostAsync(path, null);
            seen.Append(path).Append(' ').Append((int)response.StatusCode).Append(' ').Append(response.Headers).Append(await response.Content.ReadAsStringAsync()).Append('\n');
        }

        foreach (var path in new[] { "ready", "health", "metrics" })
        {
            using var response = await adminHttp.GetAsync(path);
            seen.Append(path).Append(' ').Append(await response.Content.ReadAsStringAsync()).Append('\n');
        }

        return seen.ToString();
    }

    private static Process Start(string dll, string folder, Dictionary<string, string> environment, StringBuilder output, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [dll, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;

        void Append(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.Append(line).Append('\n');
                }
            }
        }
    }

    private static async Task WaitForAsync(Uri health, Process process, StringBuilder output)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (process.HasExited)
            {
                Assert.Fail("the gateway exited: " + output);
            }

            try
            {
                using var response = await http.GetAsync(health);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or busy starting.
            }

            await Task.Delay(100);
        }

        Assert.Fail("the gateway did not start: " + output);
    }

}
