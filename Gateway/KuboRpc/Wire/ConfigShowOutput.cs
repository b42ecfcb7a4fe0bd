using System.Text.Json.Serialization;

namespace CompositeGateway.KuboRpc.Wire;

/// <summary>
/// A minimal Kubo config for <c>config/show</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.14): the keys a cluster peer could look up
/// (<c>Datastore/StorageMax</c>) and the identity. Not a full Kubo config.
/// </summary>
internal sealed record ConfigShowOutput(ConfigIdentity Identity, ConfigDatastore Datastore);

internal sealed record ConfigIdentity([property: JsonPropertyName("PeerID")] string PeerId);

/// <param name="StorageMax">Kubo's human form, e.g. <c>10GB</c>, parseable by go-humanize like Kubo's own config.</param>
internal sealed record ConfigDatastore(string StorageMax);
