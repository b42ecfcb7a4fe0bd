using System.Diagnostics;
using System.Globalization;
using System.Net;
using Yarp.ReverseProxy.Forwarder;

namespace CompositeGateway.Tests.Forwarding;

/// <summary>
/// The least a forwarder built on YARP can be, for <see cref="ForwardingBenchmark"/>'s third side: Kestrel with nothing
/// but <see cref="IHttpForwarder.SendAsync(HttpContext, string, HttpMessageInvoker, ForwarderRequestConfig, HttpTransformer)"/>
/// to one upstream — no routing, no middleware, no logging provider, no metrics. The client has the settings YARP's
/// direct-forwarding guide gives (no proxy, redirects, decompression or cookies; the reverse-proxy trace propagator; 15 s
/// connect timeout; 100 s activity timeout). The transformer is <see cref="HttpTransformer.Empty"/>: the guide's
/// <c>Default</c> would add <c>X-Forwarded-*</c> headers that neither nginx nor the gateway sends. What the gateway spends
/// above this process is its own; what this process spends above nginx is Kestrel + YARP + <c>SocketsHttpHandler</c>.
/// <para>Run as a child process of the test assembly (<c>dotnet Gateway.Tests.dll bare-yarp-forwarder …</c>, see
/// <see cref="Support.BenchmarkEntryPoint"/>), so its CPU time is its own. A second listener answers any request with
/// <c>dotnet_gc_allocated_bytes_total</c>, read as from the gateway's admin <c>/metrics</c>.</para>
/// </summary>
internal static class BareYarpForwarder
{
    public const string Command = "bare-yarp-forwarder";

    public static async Task RunAsync(IPEndPoint listen, Uri upstream, IPEndPoint admin)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = Command });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(listen);
            kestrel.Listen(admin);
        });
        builder.Services.AddHttpForwarder();
        await using var app = builder.Build();
        var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
        using var client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
            ConnectTimeout = TimeSpan.FromSeconds(15),
        });
        var config = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(100) };
        var prefix = upstream.ToString();
        app.Run(async http =>
        {
            if (http.Connection.LocalPort == admin.Port)
            {
                await http.Response.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"dotnet_gc_allocated_bytes_total {GC.GetTotalAllocatedBytes()}\n"));
                return;
            }

            var error = await forwarder.SendAsync(http, prefix, client, config, HttpTransformer.Empty);
            if (error != ForwarderError.None && !http.Response.HasStarted)
            {
                http.Response.StatusCode = StatusCodes.Status502BadGateway;
            }
        });
        await app.RunAsync();
    }
}
