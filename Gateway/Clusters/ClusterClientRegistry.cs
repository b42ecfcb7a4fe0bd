using System.Diagnostics.CodeAnalysis;

namespace CompositeGateway.Clusters;

/// <summary>The configured underclusters' clients, by name (in configuration order).</summary>
internal sealed class ClusterClientRegistry
{
    private readonly Dictionary<string, ClusterClient> _byName;

    public ClusterClientRegistry(IEnumerable<ClusterClient> clients)
    {
        All = [.. clients];
        _byName = All.ToDictionary(c => c.Name, StringComparer.Ordinal);
    }

    public IReadOnlyList<ClusterClient> All { get; }

    public ClusterClient this[string name] =>
        _byName.TryGetValue(name, out var client) ? client : throw new KeyNotFoundException($"no undercluster named \"{name}\"");

    public bool TryGet(string name, [NotNullWhen(true)] out ClusterClient? client) => _byName.TryGetValue(name, out client);
}

/// <summary>One <see cref="ClusterResilience"/> per undercluster, for the process lifetime (breaker state outlives handler rotation).</summary>
internal sealed class ClusterResiliencePipelines(IReadOnlyDictionary<string, ClusterResilience> byName)
{
    public ClusterResilience this[string name] => byName[name];
}
