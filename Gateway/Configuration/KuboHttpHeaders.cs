namespace CompositeGateway.Configuration;

/// <summary>The header names Kubo's <c>API.HTTPHeaders</c> gives a CORS meaning (go-ipfs-cmds <c>http/config.go</c>).</summary>
internal static class KuboHttpHeaders
{
    public const string AllowOrigin = "Access-Control-Allow-Origin";
    public const string AllowMethods = "Access-Control-Allow-Methods";
    public const string AllowCredentials = "Access-Control-Allow-Credentials";

    /// <summary>True for the names the CORS policy consumes instead of writing them as they are (Kubo does the same).</summary>
    public static bool IsCors(string name) =>
        name.Equals(AllowOrigin, StringComparison.OrdinalIgnoreCase)
        || name.Equals(AllowMethods, StringComparison.OrdinalIgnoreCase)
        || name.Equals(AllowCredentials, StringComparison.OrdinalIgnoreCase);
}
