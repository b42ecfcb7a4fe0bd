using CompositeGateway.Configuration;

namespace CompositeGateway.Tests.Configuration;

/// <summary>A throw-away folder for a config file and the files it references.</summary>
internal sealed class ConfigurationTestFiles : IDisposable
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "cg-config-" + Guid.NewGuid().ToString("N"));

    public ConfigurationTestFiles() => System.IO.Directory.CreateDirectory(Directory);

    public string Write(string name, string content)
    {
        var path = Path.Combine(Directory, name);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public ConfigurationLoadResult Load(string yaml, IReadOnlyDictionary<string, string>? environment = null) =>
        GatewayConfigurationLoader.LoadText(yaml, Directory, environment ?? new Dictionary<string, string>());

    /// <summary>The problems as their printed form, which is what operators read.</summary>
    public IReadOnlyList<string> Problems(string yaml, IReadOnlyDictionary<string, string>? environment = null)
    {
        var result = Load(yaml, environment);
        Assert.That(result.Succeeded, Is.False, "expected the configuration to be rejected");
        return [.. result.Problems.Select(p => p.ToString())];
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
