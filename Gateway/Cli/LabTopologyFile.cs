using CompositeGateway.Lab.Topology;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CompositeGateway.Cli;

/// <summary>
/// A topology YAML file for <c>lab up</c>:
/// <code>
/// clusters:
///   - name: over
///     peers: [gw-x, gw-y]   # one entry per peer: the gateway that is its IPFS daemon, or ~ (simulated)
///   - name: under-x
///     peers: 2              # a number: that many peers with simulated daemons
/// gateways:
///   - name: gw-x
///     undercluster: under-x
/// </code>
/// </summary>
internal static class LabTopologyFile
{
    public static LabTopology? Load(string path, List<string> errors)
    {
        var yaml = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            yaml.Load(reader);
        }
        catch (YamlException e)
        {
            errors.Add($"{path} (line {e.Start.Line}): {e.Message}");
            return null;
        }

        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root)
        {
            errors.Add($"{path}: expected a mapping with clusters and gateways");
            return null;
        }

        var clusters = new List<TopologyCluster>();
        foreach (var item in Items(root, "clusters", path, errors))
        {
            var name = Scalar(item, "name");
            switch (Child(item, "peers"))
            {
                case YamlScalarNode count when int.TryParse(count.Value, out var peers):
                    clusters.Add(new TopologyCluster(name ?? "", [.. Enumerable.Repeat<string?>(null, peers)]));
                    break;
                case YamlSequenceNode daemons:
                    clusters.Add(new TopologyCluster(name ?? "", [.. daemons.Children.Select(d => d is YamlScalarNode { Value: { Length: > 0 } v } && v != "~" && v != "null" ? v : null)]));
                    break;
                default:
                    errors.Add($"{path} (line {item.Start.Line}): clusters[].peers must be a number or a list of gateway names");
                    break;
            }
        }

        var gateways = Items(root, "gateways", path, errors)
            .Select(item => new TopologyGateway(Scalar(item, "name") ?? "", Scalar(item, "undercluster") ?? ""))
            .ToList();
        return new LabTopology(Path.GetFileNameWithoutExtension(path), clusters, gateways);
    }

    private static IEnumerable<YamlMappingNode> Items(YamlMappingNode root, string key, string path, List<string> errors)
    {
        if (Child(root, key) is not YamlSequenceNode sequence)
        {
            errors.Add($"{path}: '{key}' must be a list");
            return [];
        }

        return sequence.Children.OfType<YamlMappingNode>();
    }

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? Scalar(YamlMappingNode node, string key) => (Child(node, key) as YamlScalarNode)?.Value;
}
