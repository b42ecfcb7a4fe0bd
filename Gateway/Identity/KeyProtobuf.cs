using CompositeGateway.Ipld;

namespace CompositeGateway.Identity;

/// <summary>
/// The two-field libp2p key message (<c>PublicKey</c> and <c>PrivateKey</c> share the shape
/// <c>{ required KeyType Type = 1; required bytes Data = 2; }</c>, docs/protocol/peer-ids.md §1), encoded
/// deterministically in field order as the spec asks, so the peer ID of a key never varies.
/// </summary>
internal static class KeyProtobuf
{
    private const byte TypeTag = (1 << 3) | 0;  // field 1, varint
    private const byte DataTag = (2 << 3) | 2;  // field 2, length-delimited

    public static byte[] Encode(int keyType, ReadOnlySpan<byte> data)
    {
        var output = new List<byte>(data.Length + 8) { TypeTag, (byte)keyType, DataTag };
        for (var length = (uint)data.Length; ; length >>= 7)
        {
            if (length < 0x80)
            {
                output.Add((byte)length);
                break;
            }

            output.Add((byte)((length & 0x7F) | 0x80));
        }

        output.AddRange(data);
        return [.. output];
    }

    public static bool TryDecode(ReadOnlySpan<byte> message, out int keyType, out byte[] data)
    {
        keyType = -1;
        data = [];
        var seenType = false;
        var seenData = false;
        while (!message.IsEmpty)
        {
            var tag = message[0];
            message = message[1..];
            if (!Varint.TryRead(ref message, out var value))
            {
                return false;
            }

            switch (tag)
            {
                case TypeTag when !seenType && value <= int.MaxValue:
                    keyType = (int)value;
                    seenType = true;
                    break;
                case DataTag when !seenData && value <= (ulong)message.Length:
                    data = message[..(int)value].ToArray();
                    message = message[(int)value..];
                    seenData = true;
                    break;
                default:
                    return false;
            }
        }

        return seenType && seenData;
    }
}
