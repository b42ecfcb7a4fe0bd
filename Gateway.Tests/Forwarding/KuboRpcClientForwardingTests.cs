using System.Text.Json;
using CompositeGateway.Tests.Functional;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Forwarding;

/// <summary>kubo-rpc-client@7.1.0 through the gateway to the daemon double: <c>cat</c> bytes arrive whole, a command outside the list is refused clearly.</summary>
public sealed class KuboRpcClientForwardingTests
{
    [Test]
    public async Task KuboRpcClient_CatForwarded_RefusedCommandClearError()
    {
        NodeClients.RequireInstalled();
        await using var daemon = await FakeIpfsDaemon.StartAsync();
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions { Gateways = 0 });
        var gateway = await environment.AddGatewayAsync(o => ForwardingTests.WithDaemon(o, daemon.Url));
        const int Size = 3 * 1024 * 1024 + 5;
        var script = $$"""
            (async () => {
              const { create } = await import('kubo-rpc-client');
              const crypto = require('crypto');
              const ipfs = create({ url: '{{gateway.KuboRpcUrl}}api/v0' });
              const out = {};
              const hash = crypto.createHash('sha256');
              let length = 0;
              for await (const chunk of ipfs.cat('size-{{Size}}')) { hash.update(chunk); length += chunk.length; }
              out.length = length;
              out.sha256 = hash.digest('hex');
              try { await ipfs.config.replace({}); out.refused = 'accepted'; } catch (e) { out.refused = e.message; }
              console.log(JSON.stringify(out));
            })().catch(e => { console.error(e); process.exit(1); });
            """;

        var result = await NodeClients.RunAsync(script);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var output = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(output.GetProperty("length").GetInt32(), Is.EqualTo(Size));
            Assert.That(output.GetProperty("sha256").GetString(),
                Is.EqualTo(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(FakeIpfsDaemon.Pattern(0, Size)))));
            Assert.That(output.GetProperty("refused").GetString(), Does.StartWith("command \"config/replace\" is not answered by the gateway and not forwarded"));
        });
    }
}
