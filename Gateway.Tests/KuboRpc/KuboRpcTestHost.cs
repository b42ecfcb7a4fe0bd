using CompositeGateway.Lab.Connector;
using System.Net;
using CompositeGateway.Composition;
using CompositeGateway.Configuration;
using CompositeGateway.Ipld;
using CompositeGateway.KuboRpc;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace CompositeGateway.Tests.KuboRpc;

/// <summary>
/// The Kubo RPC surface alone on real Kestrel (127.0.0.1:0) over test doubles of the composition seams, plus a
/// <see cref="GoIpfsConnector"/> pointed at it.
/// </summary>
internal sealed class KuboRpcTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KuboRpcTestHost(WebApplication app, Uri address, GoIpfsConnectorOptions? goOptions, Fakes fakes)
    {
        _app = app;
        Address = address;
        Go = new GoIpfsConnector(address, goOptions);
        Pins = fakes.Pins;
        Space = fakes.Space;
        Swarm = fakes.Swarm;
        Gc = fakes.Gc;
        RequestHeaders = fakes.Requests;
    }

    /// <summary>Headers of every request received, in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<Dictionary<string, string>> RequestHeaders { get; }

    public Uri Address { get; }

    public GoIpfsConnector Go { get; }

    public FakePinService Pins { get; }
    public FakeSpaceReporter Space { get; }
    public FakeSwarmAddresses Swarm { get; }
    public FakeGarbageCollector Gc { get; }

    public static NodeIdentity Identity { get; } = CreateIdentity();

    public static async Task<KuboRpcTestHost> StartAsync(KuboRpcOptions? options = null, GoIpfsConnectorOptions? goOptions = null, bool withOptionalSeams = true)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var fakes = new Fakes(new FakePinService(), new FakeSpaceReporter(), new FakeSwarmAddresses(), new FakeGarbageCollector(), new());
        builder.Services.AddKuboRpc(options);
        builder.Services.AddSingleton<IPinService>(fakes.Pins);
        builder.Services.AddSingleton<INodeIdentity>(Identity);
        if (withOptionalSeams)
        {
            builder.Services.AddSingleton<ISpaceReporter>(fakes.Space);
            builder.Services.AddSingleton<ISwarmAddressSource>(fakes.Swarm);
            builder.Services.AddSingleton<IGarbageCollector>(fakes.Gc);
        }

        var app = builder.Build();
        app.Use((context, next) =>
        {
            fakes.Requests.Enqueue(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
            return next(context);
        });
        app.MapKuboRpc();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new KuboRpcTestHost(app, new Uri(address), goOptions, fakes);
    }

    /// <summary>A plain client for raw requests (methods, headers, bodies) beyond what the Go peer sends.</summary>
    public HttpClient CreateClient() => new() { BaseAddress = Address };

    public async ValueTask DisposeAsync()
    {
        Go.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    // An Ed25519 libp2p identity: peer ID = identity multihash of the protobuf PublicKey (12D3KooW…).
    private static NodeIdentity CreateIdentity()
    {
        var generator = new Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        var publicKey = ((Ed25519PublicKeyParameters)generator.GenerateKeyPair().Public).GetEncoded();
        byte[] protobuf = [0x08, 0x01, 0x12, 0x20, .. publicKey];
        var peerId = MultibaseCodec.Encode(Multihash.Identity(protobuf).Bytes.Span, Multibase.Base58BtcImplicit);
        return new NodeIdentity(peerId, Convert.ToBase64String(protobuf));
    }

    private sealed record Fakes(
        FakePinService Pins,
        FakeSpaceReporter Space,
        FakeSwarmAddresses Swarm,
        FakeGarbageCollector Gc,
        System.Collections.Concurrent.ConcurrentQueue<Dictionary<string, string>> Requests);
}
