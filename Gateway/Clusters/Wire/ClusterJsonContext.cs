using System.Text.Json.Serialization;
using CompositeGateway.Go;

namespace CompositeGateway.Clusters.Wire;

/// <summary>
/// The ipfs-cluster REST dialect: snake_case names, Go time format. Kubo RPC has its own
/// context; the two dialects never share a DTO (docs/development/style.md §11).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    Converters = [typeof(GoTimeConverter)])]
[JsonSerializable(typeof(ClusterPin))]
[JsonSerializable(typeof(GlobalPinInfo))]
[JsonSerializable(typeof(ClusterPeer))]
[JsonSerializable(typeof(ClusterVersion))]
[JsonSerializable(typeof(ClusterError))]
[JsonSerializable(typeof(ClusterMetric))]
[JsonSerializable(typeof(IReadOnlyList<ClusterMetric>))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(AddedOutput))]
[JsonSerializable(typeof(IReadOnlyList<AddedOutput>))]
[JsonSerializable(typeof(GlobalRepoGc))]
[JsonSerializable(typeof(ClusterToken))]
internal sealed partial class ClusterJsonContext : JsonSerializerContext;
