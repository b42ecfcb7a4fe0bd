using System.Reflection;

namespace CompositeGateway;

/// <summary>What this build is, in one place: the CLI, <c>/api/v0/id</c> and <c>version</c>, <c>/health</c> and <c>gateway_build_info</c> all report it.</summary>
internal static class ProductInfo
{
    /// <summary>The product version without the source-revision suffix, e.g. <c>0.1.0</c>.</summary>
    public static string Version { get; } =
        typeof(ProductInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>What <c>/api/v0/id</c> answers as <c>AgentVersion</c>; its prefix is how <c>topology</c> recognises a gateway.</summary>
    public static string AgentVersion => AgentPrefix + Version;

    /// <summary>The <c>AgentVersion</c> prefix every CompositeGateway answers with.</summary>
    public const string AgentPrefix = "composite-gateway/";
}
