namespace CompositeGateway.Tests.Support;

/// <summary>Locates files of this repository from the test binary's folder.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string JsClients => Path.Combine(Root, "Gateway.Tests", "js");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CompositeGateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("CompositeGateway.sln not found above " + AppContext.BaseDirectory);
    }
}
