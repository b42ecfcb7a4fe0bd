using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;

namespace CompositeGateway.Identity;

/// <summary>
/// The gateway's libp2p identity: an Ed25519 key pair and the peer ID derived from it. The overcluster peer
/// reads <see cref="PeerId"/> (and ignores <see cref="PublicKeyBase64"/>) from <c>/api/v0/id</c>
/// (docs/protocol/kubo-rpc-as-called-by-cluster.md §2).
/// </summary>
internal sealed class GatewayIdentity
{
    /// <summary>libp2p KeyType enum value for Ed25519 (docs/protocol/peer-ids.md §1).</summary>
    public const int Ed25519KeyType = 1;

    private readonly Ed25519PrivateKeyParameters privateKey;

    private GatewayIdentity(Ed25519PrivateKeyParameters privateKey)
    {
        this.privateKey = privateKey;
        PublicKey = privateKey.GeneratePublicKey().GetEncoded();
        PublicKeyProtobuf = KeyProtobuf.Encode(Ed25519KeyType, PublicKey);
        PeerId = PeerId.FromPublicKeyProtobuf(PublicKeyProtobuf);
    }

    /// <summary>The raw 32-byte Ed25519 public key.</summary>
    public byte[] PublicKey { get; }

    /// <summary>Protobuf <c>PublicKey {Type = Ed25519, Data = key}</c>: the bytes the peer ID inlines.</summary>
    public byte[] PublicKeyProtobuf { get; }

    /// <summary>Base64 of <see cref="PublicKeyProtobuf"/>: Kubo's <c>PublicKey</c> field in <c>/api/v0/id</c>.</summary>
    public string PublicKeyBase64 => Convert.ToBase64String(PublicKeyProtobuf);

    public PeerId PeerId { get; }

    /// <summary>A new key: its seed (what RFC 8032 calls the private key) is 32 bytes from a cryptographic random source.</summary>
    public static GatewayIdentity Generate()
    {
        Span<byte> seed = stackalloc byte[32];
        FillFromKernel(seed);
        return FromSeed(seed);
    }

    /// <summary>
    /// The kernel's random source, read directly on Unix: on Linux RandomNumberGenerator (and BouncyCastle's
    /// SecureRandom, built on it) loads OpenSSL, which then stays mapped for the life of a gateway whose first
    /// start made its key, about 5 MB of its idle memory for one call (docs/development/performance.md,
    /// "Tenth pass"). /dev/random, not /dev/urandom: since Linux 5.6 it waits only until the kernel's generator is
    /// seeded, as getrandom(2) does (which OpenSSL and Go's crypto/rand call), so a key made at early boot is never made
    /// from an unseeded pool; on macOS both devices are the same generator.
    /// </summary>
    private static void FillFromKernel(Span<byte> destination)
    {
        if (OperatingSystem.IsWindows())
        {
            RandomNumberGenerator.Fill(destination);
            return;
        }

        using var random = new FileStream("/dev/random", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        random.ReadExactly(destination);
    }

    /// <summary>From the 32-byte Ed25519 seed (what RFC 8032 calls the private key).</summary>
    public static GatewayIdentity FromSeed(ReadOnlySpan<byte> seed) => new(new Ed25519PrivateKeyParameters(seed));

    /// <summary>
    /// Protobuf <c>PrivateKey {Type = Ed25519, Data = seed ‖ public key}</c>, the form libp2p stores keys in
    /// and Kubo keeps (base64) in its config's <c>Identity.PrivKey</c>.
    /// </summary>
    public byte[] ExportPrivateKeyProtobuf() => KeyProtobuf.Encode(Ed25519KeyType, [.. privateKey.GetEncoded(), .. PublicKey]);

    /// <summary>Reads a protobuf <c>PrivateKey</c>; the result says why it was refused when it is not a consistent Ed25519 key.</summary>
    public static GatewayIdentity? FromPrivateKeyProtobuf(ReadOnlySpan<byte> message, out string? error)
    {
        if (!KeyProtobuf.TryDecode(message, out var type, out var data))
        {
            error = "not a libp2p PrivateKey protobuf message";
            return null;
        }

        if (type != Ed25519KeyType)
        {
            error = $"key type {type} is not Ed25519 (1)";
            return null;
        }

        // docs/protocol/peer-ids.md §2: seed ‖ public (64 bytes), or the legacy seed ‖ public ‖ public (96 bytes).
        if (data.Length is not (64 or 96) || (data.Length == 96 && !data.AsSpan(32, 32).SequenceEqual(data.AsSpan(64, 32))))
        {
            error = $"Ed25519 private key data must be 64 bytes (seed and public key), not {data.Length}";
            return null;
        }

        var identity = FromSeed(data.AsSpan(0, 32));
        if (!identity.PublicKey.AsSpan().SequenceEqual(data.AsSpan(32, 32)))
        {
            error = "the stored public key does not match the private key";
            return null;
        }

        error = null;
        return identity;
    }
}
