using System.Diagnostics;
using System.Net;
using CompositeGateway.Tests.Forwarding;
using CompositeGateway.Tests.Functional;

namespace CompositeGateway.Tests.KuboRpc;

/// <summary>
/// CORS in a real browser: headless Debian chromium loads a page from another loopback origin whose script calls
/// <c>POST /api/v0/id</c> on the gateway and reports what it got to the page's own server. It must succeed only when
/// that origin is in <c>kubo_rpc.http_headers</c> <c>Access-Control-Allow-Origin</c>.
/// </summary>
public sealed class BrowserCorsChromiumTests
{
    [TestCase(true)]
    [TestCase(false)]
    public async Task Chromium_CrossOriginId_SucceedsOnlyWhenOriginConfigured(bool configured)
    {
        var chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);
        if (chromium is null)
        {
            Assert.Ignore("NOTICE: chromium not installed (deploy/setup-test-env.sh installs it); the real-browser CORS check is skipped");
        }

        var result = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var page = builder.Build();
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions { Gateways = 0 });
        Uri? gatewayUrl = null;
        page.MapGet("/", () => Results.Content($$"""
            <!doctype html><html><body><pre id="out">pending</pre><script>
            fetch('{{gatewayUrl}}api/v0/id', { method: 'POST' })
              .then(r => r.json().then(j => 'status ' + r.status + ' id ' + j.ID))
              .catch(e => 'failed ' + e)
              .then(text => { document.getElementById('out').textContent = text;
                              return fetch('/result', { method: 'POST', body: text }); });
            </script></body></html>
            """, "text/html"));
        page.MapPost("/result", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            result.TrySetResult(await reader.ReadToEndAsync(http.RequestAborted));
        });

        await page.StartAsync();
        var pageOrigin = new Uri(page.Urls.First()).GetLeftPart(UriPartial.Authority);
        var gateway = await environment.AddGatewayAsync(o => ForwardingTests.WithDaemon(o, null) with
        {
            KuboRpc = o.KuboRpc with
            {
                HttpHeaders = configured
                    ? new Dictionary<string, IReadOnlyList<string>> { ["Access-Control-Allow-Origin"] = [pageOrigin] }
                    : new Dictionary<string, IReadOnlyList<string>>(),
            },
        });
        gatewayUrl = gateway.KuboRpcUrl;
        var profile = Directory.CreateTempSubdirectory("cg-chromium-");
        var start = new ProcessStartInfo(chromium,
            ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", $"--user-data-dir={profile.FullName}", "--remote-debugging-port=0", pageOrigin + "/"])
        {
            // Chromium's own chatter (dbus, GPU) is not the test's business.
            RedirectStandardOutput = false,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        _ = process.StandardError.ReadToEndAsync();
        try
        {
            var finished = await Task.WhenAny(result.Task, Task.Delay(TimeSpan.FromSeconds(60)));
            Assert.That(finished, Is.SameAs(result.Task), "the page never reported");
            var text = await result.Task;
            if (configured)
            {
                Assert.That(text, Is.EqualTo($"status 200 id {gateway.PeerId}"));
            }
            else
            {
                Assert.That(text, Does.StartWith("failed TypeError"), "the browser must not let the page read the answer");
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
            profile.Delete(recursive: true);
        }
    }
}
