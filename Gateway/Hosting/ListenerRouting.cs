using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace CompositeGateway.Hosting;

/// <summary>
/// Keeps the two route sets apart in one application (one DI container, so admin metrics and health see the
/// same singletons as the Kubo RPC handlers): each Kestrel listener tags its connections, each endpoint is
/// mapped through <see cref="ForListener"/>, and <see cref="ListenerMatcherPolicy"/> drops candidates of the
/// other listener during matching. The tag is per connection, not the Host header, so a client cannot reach
/// admin routes through the Kubo port by lying about the host.
/// </summary>
internal static class ListenerRouting
{
    private static readonly object ConnectionKey = new();
    private static readonly object UnauthenticatedKey = new();

    /// <summary>A route group whose endpoints are served on <paramref name="listener"/> only. Endpoints mapped outside such a group are served nowhere.</summary>
    public static RouteGroupBuilder ForListener(this IEndpointRouteBuilder endpoints, GatewayListener listener) =>
        endpoints.MapGroup("").WithMetadata(new ListenerMetadata(listener));

    /// <summary>Tags every connection accepted on <paramref name="listenOptions"/> with <paramref name="listener"/>.</summary>
    public static void TagConnections(ListenOptions listenOptions, GatewayListener listener) =>
        listenOptions.Use(next => connection =>
        {
            connection.Items[ConnectionKey] = listener;
            return next(connection);
        });

    /// <summary>Marks every connection accepted on <paramref name="listenOptions"/> as one that Kubo's authorization does not apply to (<c>kubo_rpc.unauthenticated_listen</c>).</summary>
    public static void TagUnauthenticated(ListenOptions listenOptions) =>
        listenOptions.Use(next => connection =>
        {
            connection.Items[UnauthenticatedKey] = true;
            return next(connection);
        });

    /// <summary>False only on the listeners of <c>kubo_rpc.unauthenticated_listen</c>; true everywhere else, so an untagged connection asks for credentials.</summary>
    public static bool RequiresAuthorization(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(UnauthenticatedKey) != true;

    public static GatewayListener? ListenerOf(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ConnectionKey, out var value) == true ? (GatewayListener)value! : null;

    /// <summary>Invalidates candidate endpoints that belong to another listener than the request's connection.</summary>
    internal sealed class ListenerMatcherPolicy : MatcherPolicy, IEndpointSelectorPolicy
    {
        // Run before other policies so that, e.g., an HTTP-method mismatch on the other listener is a plain 404.
        public override int Order => -1000;

        public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => endpoints.Count > 0;

        public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
        {
            var listener = ListenerOf(httpContext);
            for (var i = 0; i < candidates.Count; i++)
            {
                if (candidates.IsValidCandidate(i) && candidates[i].Endpoint.Metadata.GetMetadata<ListenerMetadata>()?.Listener != listener)
                {
                    candidates.SetValidity(i, false);
                }
            }

            return Task.CompletedTask;
        }
    }
}
