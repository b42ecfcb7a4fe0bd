using CompositeGateway.Ipld;

namespace CompositeGateway.Lab.Connector;

/// <summary>
/// go-libp2p <c>peer.Decode</c>: a base58btc multihash (<c>Qm…</c>, <c>12D3Koo…</c>, <c>1…</c>) or a CIDv1 with
/// the libp2p-key codec. What the Go peer requires of <c>id</c>'s <c>ID</c> and <c>swarm/peers</c>'s <c>Peer</c>.
/// </summary>
internal static class GoPeerId
{
    public static string? Check(string text)
    {
        if (text.StartsWith("Qm", StringComparison.Ordinal) || text.StartsWith('1'))
        {
            var error = MultibaseCodec.TryDecode(text, Multibase.Base58BtcImplicit, out var bytes);
            if (error is not null)
            {
                return "failed to parse peer ID: " + error;
            }

            var mhError = Multihash.TryRead(bytes, out _, out var consumed);
            return mhError is not null ? "failed to parse peer ID: " + mhError
                : consumed != bytes.Length ? "failed to parse peer ID: trailing bytes"
                : null;
        }

        if (!Cid.TryParse(text, out var cid, out var cidError))
        {
            return "failed to parse peer ID: " + cidError;
        }

        return cid.Codec == Multicodec.Libp2pKey ? null : $"failed to parse peer ID: can't convert CID of type \"{Multicodec.NameOf(cid.Codec)}\" to a peer ID";
    }
}
