using System.Text;

namespace CompositeGateway.Lab.Topology;

/// <summary>One emulated cluster of a topology; <see cref="PeerDaemons"/>[i] names the gateway that is peer i's IPFS daemon (null: simulated daemon).</summary>
internal sealed record TopologyCluster(string Name, IReadOnlyList<string?> PeerDaemons)
{
    public int Peers => PeerDaemons.Count;

    /// <summary>Whether any peer's daemon is a gateway (the cluster is an overcluster).</summary>
    public bool IsOver => PeerDaemons.Any(d => d is not null);
}

/// <summary>One gateway of a topology and the emulated cluster it fronts (its undercluster).</summary>
internal sealed record TopologyGateway(string Name, string Undercluster);

/// <summary>
/// Emulated clusters and gateways wired together (docs/design/topologies.md): which gateway is each overcluster
/// peer's IPFS daemon, which cluster each gateway fronts. Pure description; <c>composite-gateway lab up</c> starts it.
/// </summary>
internal sealed record LabTopology(string Name, IReadOnlyList<TopologyCluster> Clusters, IReadOnlyList<TopologyGateway> Gateways)
{
    /// <summary>The built-in names, in the order the CLI lists them.</summary>
    public static readonly IReadOnlyList<string> BuiltInNames = ["multi-ring", "cylinder", "inverse-multi-ring", "pyramid", "inception"];

    /// <summary>A built-in topology by name, or null.</summary>
    public static LabTopology? BuiltIn(string name) => name switch
    {
        // Each overcluster peer fronts a whole undercluster of its own.
        "multi-ring" => new(name,
            [new("over", ["gw-x", "gw-y"]), Simulated("under-x", 2), Simulated("under-y", 2)],
            [new("gw-x", "under-x"), new("gw-y", "under-y")]),
        // Two gateways in front of the same undercluster, one per overcluster peer.
        "cylinder" => new(name,
            [new("over", ["gw-0", "gw-1"]), Simulated("under", 2)],
            [new("gw-0", "under"), new("gw-1", "under")]),
        // Two overclusters share one undercluster through gateways of their own.
        "inverse-multi-ring" => new(name,
            [new("over-a", ["gw-a"]), new("over-b", ["gw-b"]), Simulated("shared", 2)],
            [new("gw-a", "shared"), new("gw-b", "shared")]),
        // Three levels of clusters: top → 2 middle clusters → 4 bottom clusters.
        "pyramid" => new(name,
            [
                new("top", ["gw-m0", "gw-m1"]),
                new("middle-0", ["gw-b0", "gw-b1"]), new("middle-1", ["gw-b2", "gw-b3"]),
                Simulated("bottom-0", 1), Simulated("bottom-1", 1), Simulated("bottom-2", 1), Simulated("bottom-3", 1),
            ],
            [
                new("gw-m0", "middle-0"), new("gw-m1", "middle-1"),
                new("gw-b0", "bottom-0"), new("gw-b1", "bottom-1"), new("gw-b2", "bottom-2"), new("gw-b3", "bottom-3"),
            ]),
        // The undercluster's own peer uses the gateway as its daemon: refused by the gateway (docs/design/inception.md).
        "inception" => new(name,
            [new("over", ["gw"]), new("under", ["gw"])],
            [new("gw", "under")]),
        _ => null,
    };

    /// <summary>A straight line of <paramref name="levels"/> gateway hops (1: over → gateway → bottom), for latency figures.</summary>
    public static LabTopology Chain(int levels)
    {
        var clusters = new List<TopologyCluster>();
        var gateways = new List<TopologyGateway>();
        for (var level = 0; level < levels; level++)
        {
            clusters.Add(new($"level-{level}", [$"gw-{level}"]));
            gateways.Add(new($"gw-{level}", $"level-{level + 1}"));
        }

        clusters.Add(Simulated($"level-{levels}", 1));
        return new($"chain-{levels}", clusters, gateways);
    }

    /// <summary>Every wiring mistake at once: unknown names, duplicates, gateways nobody fronts.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var clusterNames = Clusters.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var gatewayNames = Gateways.Select(g => g.Name).ToHashSet(StringComparer.Ordinal);
        if (Clusters.Count == 0)
        {
            errors.Add("clusters: at least one is needed");
        }

        errors.AddRange(Clusters.GroupBy(c => c.Name).Where(g => g.Count() > 1).Select(g => $"clusters: '{g.Key}' is defined twice"));
        errors.AddRange(Gateways.GroupBy(g => g.Name).Where(g => g.Count() > 1).Select(g => $"gateways: '{g.Key}' is defined twice"));
        foreach (var cluster in Clusters)
        {
            if (cluster.Peers is < 1 or > 64)
            {
                errors.Add($"clusters.{cluster.Name}: {cluster.Peers} peers is outside 1..64");
            }

            errors.AddRange(cluster.PeerDaemons.OfType<string>().Where(d => !gatewayNames.Contains(d)).Distinct()
                .Select(d => $"clusters.{cluster.Name}: peer daemon '{d}' is not a gateway of this topology"));
        }

        errors.AddRange(Gateways.Where(g => !clusterNames.Contains(g.Undercluster))
            .Select(g => $"gateways.{g.Name}: undercluster '{g.Undercluster}' is not a cluster of this topology"));
        return errors;
    }

    /// <summary>A Mermaid flowchart: clusters as subgraphs of their peers, peer → gateway (its daemon) → undercluster.</summary>
    public string ToMermaid()
    {
        var text = new StringBuilder("flowchart TB\n");
        foreach (var cluster in Clusters)
        {
            text.Append($"  subgraph {Id(cluster.Name)}[\"cluster {cluster.Name}\"]\n");
            for (var i = 0; i < cluster.Peers; i++)
            {
                text.Append($"    {Id(cluster.Name)}_p{i}[\"peer {i}\"]\n");
            }

            text.Append("  end\n");
        }

        foreach (var gateway in Gateways)
        {
            text.Append($"  {Id(gateway.Name)}{{{{\"gateway {gateway.Name}\"}}}} --> {Id(gateway.Undercluster)}\n");
        }

        foreach (var cluster in Clusters)
        {
            for (var i = 0; i < cluster.Peers; i++)
            {
                if (cluster.PeerDaemons[i] is { } daemon)
                {
                    text.Append($"  {Id(cluster.Name)}_p{i} -. ipfs daemon .-> {Id(daemon)}\n");
                }
            }
        }

        return text.ToString();
    }

    private static TopologyCluster Simulated(string name, int peers) => new(name, [.. Enumerable.Repeat<string?>(null, peers)]);

    private static string Id(string name) => new([.. name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
}
