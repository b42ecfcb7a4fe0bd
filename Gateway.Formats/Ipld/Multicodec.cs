namespace CompositeGateway.Ipld;

/// <summary>Multicodec codes used by IPFS CIDs and multihashes (multiformats/multicodec table.csv).</summary>
internal static class Multicodec
{
    public const ulong Identity = 0x00;
    public const ulong Sha2_256 = 0x12;
    public const ulong Raw = 0x55;
    public const ulong DagPb = 0x70;
    public const ulong DagCbor = 0x71;
    public const ulong Libp2pKey = 0x72;
    public const ulong DagJson = 0x0129;

    /// <summary>Name as Kubo prints it (e.g. <c>ipfs cid format -f %c</c>), or the hex code.</summary>
    public static string NameOf(ulong code) => code switch
    {
        Identity => "identity",
        Sha2_256 => "sha2-256",
        Raw => "raw",
        DagPb => "dag-pb",
        DagCbor => "dag-cbor",
        Libp2pKey => "libp2p-key",
        DagJson => "dag-json",
        _ => "0x" + code.ToString("x", System.Globalization.CultureInfo.InvariantCulture),
    };
}
