using SimpleBase;

namespace CompositeGateway.Lab;

/// <summary>
/// Peer IDs of simulated peers: identity multihashes of an Ed25519 public key in libp2p's protobuf
/// envelope (<c>00 24 08 01 12 20</c> + 32 bytes), printed in base58btc, so they read as
/// <c>12D3KooW…</c> and decode like real ones in any client.
/// </summary>
internal static class LabPeerIds
{
    private static ReadOnlySpan<byte> Prefix => [0x00, 0x24, 0x08, 0x01, 0x12, 0x20];

    public static string Create(Random random)
    {
        Span<byte> bytes = stackalloc byte[38];
        Prefix.CopyTo(bytes);
        random.NextBytes(bytes[6..]);
        return Base58.Bitcoin.Encode(bytes);
    }

    /// <summary>
    /// Whether <paramref name="text"/> decodes as a peer ID (base58btc multihash: identity or sha2-256).
    /// ipfs-cluster silently drops undecodable <c>user-allocations</c> entries (docs/protocol/cluster-rest.md §4).
    /// </summary>
    public static bool IsValid(string text)
    {
        if (text.Length < 8)
        {
            return false;
        }

        var bytes = new byte[text.Length];
        return Base58.Bitcoin.TryDecode(text, bytes, out var length)
            && length >= 2 && (bytes[0] == 0x00 || bytes[0] == 0x12) && bytes[1] == length - 2;
    }
}
