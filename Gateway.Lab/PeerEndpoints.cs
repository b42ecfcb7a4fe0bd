using System.Text.Json;
using CompositeGateway.Lab.Wire;

namespace CompositeGateway.Lab;

/// <summary>Identity, peers, health and token endpoints (docs/protocol/cluster-rest.md §1.1, §5.1–§5.3, §5.16, §5.17).</summary>
internal static class PeerEndpoints
{
    public const string Version = "1.1.6";
    public const string RpcProtocol = "/ipfscluster/1.0/rpc";

    public static Task IdAsync(LabCluster cluster, HttpContext context, RouteValues values) =>
        LabHttp.WriteJsonAsync(context, 200, Identity(cluster, cluster.Contacted), WireJsonContext.Default.ClusterPeer);

    public static Task VersionAsync(LabCluster cluster, HttpContext context, RouteValues values) =>
        LabHttp.WriteJsonAsync(context, 200, new ClusterVersion(Version), WireJsonContext.Default.ClusterVersion);

    public static Task PeersAsync(LabCluster cluster, HttpContext context, RouteValues values) =>
        NdjsonStream.WriteAsync(context, cluster.Faults.Current, cluster.PeersById.Select(p => Identity(cluster, p)), WireJsonContext.Default.ClusterPeer);

    public static Task HealthAsync(LabCluster cluster, HttpContext context, RouteValues values)
    {
        LabHttp.NoContent(context);
        return Task.CompletedTask;
    }

    /// <summary>Peer membership is fixed in the lab: the routes exist (so no 404/405) but refuse.</summary>
    public static Task PeerChangeAsync(LabCluster cluster, HttpContext context, RouteValues values) =>
        LabHttp.WriteErrorAsync(context, 500, "lab: the emulated peerset cannot be changed");

    public static Task TokenAsync(LabCluster cluster, HttpContext context, RouteValues values)
    {
        var credentials = cluster.Options.BasicAuth;
        if (credentials is null)
        {
            return LabHttp.WriteErrorAsync(context, 401, "unauthorized");
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        string? issuer = null;
        if (LabAuth.TryParseBasic(authorization, out var user, out _))
        {
            issuer = user;
        }
        else if (LabAuth.TryParseBearer(authorization, out var token))
        {
            issuer = LabAuth.VerifyToken(credentials, token, cluster.Time.GetUtcNow(), cluster.Tokens);
        }

        return issuer is not null && credentials.TryGetValue(issuer, out var password)
            ? LabHttp.WriteJsonAsync(context, 200, new ClusterToken(cluster.Tokens.Issue(issuer, password, cluster.Time.GetUtcNow())), WireJsonContext.Default.ClusterToken)
            : LabHttp.WriteErrorAsync(context, 401, "unauthorized");
    }

    public static Task AlertsAsync(LabCluster cluster, HttpContext context, RouteValues values) =>
        WriteRawAsync(context, w =>
        {
            w.WriteStartArray();
            w.WriteEndArray();
        });

    public static Task BandwidthAsync(LabCluster cluster, HttpContext context, RouteValues values) =>
        WriteRawAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteEndObject();
        });

    /// <summary>A minimal ConnectGraph: every cluster peer linked to the others and to its own daemon.</summary>
    public static Task GraphAsync(LabCluster cluster, HttpContext context, RouteValues values) =>
        WriteRawAsync(context, w =>
        {
            var live = cluster.PeersById.Where(p => !cluster.IsDown(p)).ToList();
            w.WriteStartObject();
            w.WriteString("cluster_id", cluster.Contacted.Id);
            w.WriteStartObject("id_to_peername");
            foreach (var peer in cluster.PeersById)
            {
                w.WriteString(peer.Id, peer.Name);
            }

            w.WriteEndObject();
            w.WriteStartObject("ipfs_links");
            foreach (var peer in live)
            {
                w.WriteStartArray(peer.IpfsId);
                foreach (var other in live.Where(o => o != peer))
                {
                    w.WriteStringValue(other.IpfsId);
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
            foreach (var links in new[] { "cluster_links", "cluster_trust_links" })
            {
                w.WriteStartObject(links);
                foreach (var peer in live)
                {
                    if (links == "cluster_links")
                    {
                        w.WriteStartArray(peer.Id);
                        foreach (var other in live.Where(o => o != peer))
                        {
                            w.WriteStringValue(other.Id);
                        }

                        w.WriteEndArray();
                    }
                    else
                    {
                        w.WriteBoolean(peer.Id, true);
                    }
                }

                w.WriteEndObject();
            }

            w.WriteStartObject("cluster_to_ipfs");
            foreach (var peer in live)
            {
                w.WriteString(peer.Id, peer.IpfsId);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        });

    /// <summary>
    /// The ID of <paramref name="peer"/> as the contacted peer reports it. A peer that cannot be
    /// reached is listed with only its ID and <c>error</c> (cluster.go Peers).
    /// </summary>
    public static ClusterPeer Identity(LabCluster cluster, LabPeer peer)
    {
        if (cluster.IsDown(peer) && peer != cluster.Contacted)
        {
            return new ClusterPeer { Id = peer.Id, Error = LabCluster.PeerDownError, Ipfs = new IpfsPeer() };
        }

        return new ClusterPeer
        {
            Id = peer.Id,
            Addresses = peer.Addresses,
            ClusterPeers = [.. cluster.PeersById.Select(p => p.Id)],
            ClusterPeersAddresses = [.. cluster.PeersById.Where(p => p != peer).SelectMany(p => p.Addresses)],
            Version = Version,
            Commit = "",
            RpcProtocolVersion = RpcProtocol,
            Error = "",
            Ipfs = new IpfsPeer { Id = peer.IpfsId, Addresses = peer.IpfsAddresses, Error = "" },
            Peername = peer.Name,
        };
    }

    private static async Task WriteRawAsync(HttpContext context, Action<Utf8JsonWriter> write)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = LabHttp.JsonContentType;
        using var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        buffer.WriteByte((byte)'\n');
        await context.Response.Body.WriteAsync(buffer.ToArray(), context.RequestAborted);
    }
}
