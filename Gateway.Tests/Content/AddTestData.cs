using System.Text.Json;
using CompositeGateway.Ipld;
using CompositeGateway.Lab;

namespace CompositeGateway.Tests.Content;

/// <summary>Files written for the add journeys, and checks of what an add left in an emulated undercluster.</summary>
internal sealed class AddTestData : IDisposable
{
    private AddTestData(string folder) => Folder = folder;

    public string Folder { get; }

    public static AddTestData Create() => new(Directory.CreateTempSubdirectory("cg-add-").FullName);

    /// <summary>Writes <paramref name="length"/> deterministic pseudo-random bytes; returns the path (forward slashes for JS).</summary>
    public string File(string name, long length, int seed = 1)
    {
        var path = Path.Combine(Folder, name);
        using var stream = System.IO.File.Create(path);
        var random = new Random(seed);
        var buffer = new byte[1 << 20];
        for (long written = 0; written < length;)
        {
            random.NextBytes(buffer);
            var n = (int)Math.Min(buffer.Length, length - written);
            stream.Write(buffer, 0, n);
            written += n;
        }

        return path.Replace('\\', '/');
    }

    /// <summary>Every block of the DAG under <paramref name="root"/> missing from the undercluster's block store (none = all there).</summary>
    public static List<string> MissingBlocks(EmulatedCluster cluster, string root) =>
        [.. cluster.MissingBlocks(Cid.Parse(root)).Select(c => c.ToString())];

    public static JsonElement Parse(string stdout) => JsonDocument.Parse(stdout).RootElement;

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
