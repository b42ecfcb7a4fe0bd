using System.Reflection;
using CompositeGateway.Lab;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Architecture;

/// <summary>
/// The lab is a test double of ipfs-cluster: if the serving code could reach it, a shortcut through
/// it would pass every test and fail against a real cluster. Only the CLI (for <c>emulate</c>) may use it.
/// </summary>
public sealed class ProjectBoundaryTests
{
    [Test]
    public void Lab_DoesNotReferenceTheGateway()
    {
        var referenced = typeof(LabCluster).Assembly.GetReferencedAssemblies().Select(a => a.Name);

        Assert.That(referenced, Does.Not.Contain("composite-gateway"));
    }

    [Test]
    public void Formats_ReferencesNeitherGatewayNorLab()
    {
        var referenced = typeof(CompositeGateway.Ipld.Cid).Assembly.GetReferencedAssemblies().Select(a => a.Name);

        Assert.That(referenced, Does.Not.Contain("composite-gateway").And.Not.Contain("CompositeGateway.Lab"));
    }

    [Test]
    public void ServingCode_NeverUsesTheLab()
    {
        var gateway = Path.Combine(RepositoryPaths.Root, "Gateway");
        var offenders = Directory.EnumerateFiles(gateway, "*.cs", SearchOption.AllDirectories)
            .Where(f => !IsBuildOutput(f) && !f.StartsWith(Path.Combine(gateway, "Cli") + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Where(f => File.ReadLines(f).Any(l => l.Contains("CompositeGateway.Lab", StringComparison.Ordinal)))
            .Select(f => Path.GetRelativePath(RepositoryPaths.Root, f))
            .ToList();

        Assert.That(offenders, Is.Empty, "only Gateway/Cli may use the lab");
    }

    [Test]
    public void ServingTypes_DoNotMentionLabTypes()
    {
        var gateway = typeof(CompositeGateway.Hosting.GatewayHost).Assembly;
        var lab = typeof(LabCluster).Assembly;
        var offenders = gateway.GetTypes()
            .Where(t => t.Namespace is { } ns && !ns.StartsWith("CompositeGateway.Cli", StringComparison.Ordinal))
            .Where(t => MentionedTypes(t).Any(m => m.Assembly == lab))
            .Select(t => t.FullName)
            .ToList();

        Assert.That(offenders, Is.Empty);
    }

    private static bool IsBuildOutput(string path) =>
        path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
        || path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal);

    private static IEnumerable<Type> MentionedTypes(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var field in type.GetFields(all))
        {
            yield return field.FieldType;
        }

        foreach (var method in type.GetMethods(all))
        {
            yield return method.ReturnType;
            foreach (var parameter in method.GetParameters())
            {
                yield return parameter.ParameterType;
            }
        }
    }
}
