using System.Text.Json.Serialization;
using CompositeGateway.Go;

namespace CompositeGateway.Lab.Wire;

/// <summary>
/// The emulator's side of the ipfs-cluster REST dialect. Field names are spelled out one by one from
/// docs/protocol/cluster-rest.md §2 instead of derived by a naming policy as the gateway's client
/// does, so a naming mistake on one side shows up as a failing test instead of agreeing with itself.
/// </summary>
[JsonSourceGenerationOptions(Converters = [typeof(GoTimeConverter)])]
[JsonSerializable(typeof(ClusterPin))]
[JsonSerializable(typeof(GlobalPinInfo))]
[JsonSerializable(typeof(ClusterPeer))]
[JsonSerializable(typeof(ClusterVersion))]
[JsonSerializable(typeof(ClusterError))]
[JsonSerializable(typeof(IReadOnlyList<ClusterMetric>))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(AddedOutput))]
[JsonSerializable(typeof(IReadOnlyList<AddedOutput>))]
[JsonSerializable(typeof(GlobalRepoGc))]
[JsonSerializable(typeof(ClusterToken))]
internal sealed partial class WireJsonContext : JsonSerializerContext;
