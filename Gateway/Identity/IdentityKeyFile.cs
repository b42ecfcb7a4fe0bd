using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace CompositeGateway.Identity;

/// <summary>Outcome of <see cref="IdentityKeyFile.LoadOrCreate"/>: an identity, or the reason there is none.</summary>
internal sealed record IdentityLoadResult(GatewayIdentity? Identity, string? Error, bool Created, IReadOnlyList<string> Warnings)
{
    [MemberNotNullWhen(true, nameof(Identity))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Identity is not null;
}

/// <summary>
/// The identity key on disk. Format (text, so it can be inspected and backed up):
/// <code>
/// # comment lines
/// &lt;base64 of the protobuf PrivateKey message&gt;
/// </code>
/// The base64 line is exactly Kubo's <c>Identity.PrivKey</c> config value, so a key can move between a Kubo
/// node and the gateway. The file is created with mode 0600 on first use; an existing file that group or
/// others can read is used but warned about (refusing would break set-ups that mount secrets 0644).
/// </summary>
internal static class IdentityKeyFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public static IdentityLoadResult LoadOrCreate(string path)
    {
        path = Path.GetFullPath(path);
        if (!File.Exists(path))
        {
            var created = TryCreate(path, out var error);
            if (created is not null || error is not null)
            {
                return created is null ? new(null, error, false, []) : new(created, null, true, []);
            }

            // Another process created it first: fall through and use theirs.
        }

        return Load(path);
    }

    public static IdentityLoadResult Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new(null, $"cannot read identity file {path}: {e.Message}", false, []);
        }

        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        byte[] message;
        try
        {
            message = lines.Count == 1 ? Convert.FromBase64String(lines[0]) : throw new FormatException();
        }
        catch (FormatException)
        {
            return new(null, $"identity file {path} is not an identity key: expected one line of base64 (a libp2p PrivateKey) besides # comments", false, []);
        }

        var identity = GatewayIdentity.FromPrivateKeyProtobuf(message, out var error);
        if (identity is null)
        {
            return new(null, $"identity file {path} is not a usable identity key: {error}", false, []);
        }

        var warnings = new List<string>();
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & GroupOrOthers) != 0)
            {
                warnings.Add($"identity file {path} is accessible to group or others (mode {Convert.ToString((int)mode, 8)}); it holds a private key: chmod 600 {path}");
            }
        }

        return new(identity, null, false, warnings);
    }

    public static string Format(GatewayIdentity identity) => new StringBuilder()
        .Append("# CompositeGateway identity: libp2p Ed25519 private key (protobuf PrivateKey, base64;\n")
        .Append("# the same encoding as Kubo's Identity.PrivKey). Keep it secret; losing it changes the peer ID.\n")
        .Append("# Peer ID: ").Append(identity.PeerId).Append('\n')
        .Append(Convert.ToBase64String(identity.ExportPrivateKeyProtobuf())).Append('\n')
        .ToString();

    /// <summary>
    /// Creates <paramref name="folder"/> and every missing folder above it with mode 0700: <c>Directory.CreateDirectory</c>
    /// with a mode gives it to the last folder only, and the ones it creates on the way would be 0755 (readable names).
    /// Folders that already exist are left as they are.
    /// </summary>
    internal static void CreatePrivateFolder(string folder)
    {
        if (Directory.Exists(folder))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return;
        }

        var missing = new Stack<string>();
        for (var current = folder; current is not null && !Directory.Exists(current); current = Path.GetDirectoryName(current))
        {
            missing.Push(current);
        }

        while (missing.TryPop(out var next))
        {
            Directory.CreateDirectory(next, OwnerOnly | UnixFileMode.UserExecute);
        }
    }

    /// <summary>Writes a new key to a private temporary file, then links it into place without replacing anything.</summary>
    private static GatewayIdentity? TryCreate(string path, out string? error)
    {
        var identity = GatewayIdentity.Generate();
        var folder = Path.GetDirectoryName(path)!;
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            CreatePrivateFolder(folder);

            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnly;
            }

            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(Encoding.UTF8.GetBytes(Format(identity)));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: false);
            error = null;
            return identity;
        }
        catch (IOException) when (File.Exists(path))
        {
            error = null;
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"cannot create identity file {path}: {e.Message}";
            return null;
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
