using System.Text.Json.Serialization;

namespace CompositeGateway.KuboRpc.Wire;

/// <summary><c>block/put</c> line per block (Kubo's <c>BlockStat</c>; docs/protocol/kubo-rpc-as-called-by-cluster.md §4.12).</summary>
internal sealed record BlockStatOutput(string Key, int Size);

/// <summary><c>dag/put</c> line per object: <c>{"Cid":{"/":"…"}}</c> (a CID as Kubo's JSON marshals it).</summary>
internal sealed record DagPutOutput(DagLink Cid);

internal sealed record DagLink([property: JsonPropertyName("/")] string Cid);
