using System.Buffers;
using System.Text;

namespace CompositeGateway.Lab.Ipfs;

/// <summary>
/// The tar stream Kubo's <c>get</c> answers, written entry by entry onto a stream: Go <c>archive/tar</c> USTAR
/// headers as boxo's <c>files.TarWriter</c> fills them (directories mode 0777, files 0644, symlinks with their
/// target, modification time = now in whole seconds, uid/gid 0, no user or group names), file data padded to
/// 512-byte blocks, two zero blocks at the end. Numeric fields are zero-padded octal ending in NUL and the checksum
/// ends in NUL then space, as Go's formatter writes them. A name longer than 100 bytes is split at a <c>/</c> into
/// the 155-byte prefix, as Go does; names Go would only write as PAX (longer still, or not ASCII) are refused.
/// </summary>
internal sealed class LabTarWriter(Stream output, DateTimeOffset now)
{
    public const int BlockSize = 512;

    private static readonly byte[] Zeros = new byte[2 * BlockSize];

    private readonly long _modified = now.ToUnixTimeSeconds();

    public Task WriteDirectoryAsync(string name, CancellationToken cancellationToken) =>
        WriteHeaderAsync(name, (byte)'5', Convert.ToInt32("777", 8), 0, "", cancellationToken);

    public Task WriteSymlinkAsync(string name, string target, CancellationToken cancellationToken) =>
        WriteHeaderAsync(name, (byte)'2', Convert.ToInt32("777", 8), 0, target, cancellationToken);

    /// <summary>A regular file: its header, its bytes as they come, then the padding to the next block.</summary>
    public async Task WriteFileAsync(string name, long size, IEnumerable<ReadOnlyMemory<byte>> content, CancellationToken cancellationToken)
    {
        await WriteHeaderAsync(name, (byte)'0', Convert.ToInt32("644", 8), size, "", cancellationToken);
        long written = 0;
        foreach (var slice in content)
        {
            await output.WriteAsync(slice, cancellationToken);
            written += slice.Length;
        }

        if (written != size)
        {
            throw new LabIpfsException(500, $"lab: file {name} has {written} bytes, its UnixFS node says {size}");
        }

        var padding = (int)(-size & (BlockSize - 1));
        await output.WriteAsync(Zeros.AsMemory(0, padding), cancellationToken);
    }

    /// <summary>The end of the archive: two zero blocks (Go's <c>tar.Writer.Close</c>).</summary>
    public async Task CloseAsync(CancellationToken cancellationToken) =>
        await output.WriteAsync(Zeros, cancellationToken);

    private async Task WriteHeaderAsync(string path, byte type, int mode, long size, string linkName, CancellationToken cancellationToken)
    {
        var (prefix, name) = Split(path);
        var header = ArrayPool<byte>.Shared.Rent(BlockSize);
        try
        {
            var block = header.AsSpan(0, BlockSize);
            block.Clear();
            Text(block.Slice(0, 100), name);
            Octal(block.Slice(100, 8), mode);
            Octal(block.Slice(108, 8), 0);
            Octal(block.Slice(116, 8), 0);
            Octal(block.Slice(124, 12), size);
            Octal(block.Slice(136, 12), _modified);
            block[156] = type;
            Text(block.Slice(157, 100), linkName);
            "ustar\0"u8.CopyTo(block.Slice(257, 6));
            "00"u8.CopyTo(block.Slice(263, 2));
            Octal(block.Slice(329, 8), 0);
            Octal(block.Slice(337, 8), 0);
            Text(block.Slice(345, 155), prefix);

            // The checksum is the byte sum of the header with its own field read as spaces.
            block.Slice(148, 8).Fill((byte)' ');
            var sum = 0;
            foreach (var b in block)
            {
                sum += b;
            }

            Octal(block.Slice(148, 7), sum);
            block[155] = (byte)' ';
            await output.WriteAsync(header.AsMemory(0, BlockSize), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(header);
        }
    }

    private static (string Prefix, string Name) Split(string path)
    {
        if (!Ascii.IsValid(path))
        {
            throw new LabIpfsException(500, $"lab: the emulated get writes USTAR names only (ASCII); \"{path}\" would need a PAX header");
        }

        if (path.Length <= 100)
        {
            return ("", path);
        }

        // Go's splitUSTARPath: cut at the last '/' within the first 156 bytes; both parts must fit their fields.
        var length = Math.Min(path.Length, 156);
        if (length == path.Length && path[^1] == '/')
        {
            length--;
        }

        var at = path.LastIndexOf('/', length - 1);
        var nameLength = path.Length - at - 1;
        if (at > 0 && nameLength is > 0 and <= 100 && at <= 155)
        {
            return (path[..at], path[(at + 1)..]);
        }

        throw new LabIpfsException(500, $"lab: the emulated get writes USTAR names only; \"{path}\" is too long and would need a PAX header");
    }

    private static void Text(Span<byte> field, string value) => Encoding.ASCII.GetBytes(value, field);

    /// <summary>Go's <c>formatOctal</c>: octal digits, zero-padded to leave room for one trailing NUL.</summary>
    private static void Octal(Span<byte> field, long value)
    {
        var digits = Convert.ToString(value, 8).PadLeft(field.Length - 1, '0');
        Encoding.ASCII.GetBytes(digits.AsSpan(), field);
        field[digits.Length] = 0;
    }
}
