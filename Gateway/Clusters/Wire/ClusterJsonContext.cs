using System.Text.Json.Serialization;
using CompositeGateway.Go;

namespace CompositeGateway.Clusters.Wire;

/// <summary>
/// The ipfs-cluster REST dialect: snake_case names, Go time format. Kubo RPC has its own
/// context; the two dialects never share a DTO (docs/development/style.md §11).
/// </summary>
/// <remarks>
/// The types decoded on every pin call (<see cref="GlobalPinInfo"/>, <see cref="PinInfoShort"/>, <see cref="ClusterPin"/>,
/// <see cref="ClusterMetric"/>) have settable properties, not <c>init</c> ones: the source generator fills init-only
/// properties through a constructor delegate, which reads every property into an <c>object[]</c> first (boxing each
/// number, flag and time); settable ones are assigned as they are read.
/// </remarks>
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
