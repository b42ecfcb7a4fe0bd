namespace CompositeGateway.Configuration;

/// <summary>
/// The files the configuration names that hold secrets (<c>password_file</c>, <c>underclusters[i].tls.client_key_file</c>,
/// <c>kubo_rpc.authorizations.*.secret_file</c>, <c>admin_auth.token_file</c>, <c>tls.key_file</c>), and the
/// warning for each that group or others can access: the same rule and wording as the identity key's. They are used
/// anyway, because secrets mounted 0644 (a common Kubernetes default) should not stop the gateway.
/// </summary>
internal static class SecretFiles
{
    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>One warning per secret file group/others can access, naming its key.</summary>
    public static IReadOnlyList<string> Warnings(GatewayOptions options)
    {
        var warnings = new List<string>();
        if (OperatingSystem.IsWindows())
        {
            return warnings;
        }

        Check("tls.key_file", options.Tls?.KeyFile, "a private key", warnings);
        Check("admin_auth.token_file", options.AdminAuth?.TokenFile, "a token", warnings);
        foreach (var authorization in options.KuboRpc.Authorizations)
        {
            Check($"kubo_rpc.authorizations.{authorization.Name}.secret_file", authorization.SecretFile, "a secret", warnings);
        }

        for (var i = 0; i < options.Underclusters.Count; i++)
        {
            var undercluster = options.Underclusters[i];
            Check($"underclusters[{i}].auth.password_file", undercluster.Auth?.PasswordFile, "a password", warnings);
            Check($"underclusters[{i}].tls.client_key_file", undercluster.Tls?.ClientKeyFile, "a private key", warnings);
        }

        return warnings;
    }

    private static void Check(string key, string? path, string holds, List<string> warnings)
    {
        if (path is null || OperatingSystem.IsWindows())
        {
            return;
        }

        UnixFileMode mode;
        try
        {
            mode = File.GetUnixFileMode(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        if ((mode & GroupOrOthers) != 0)
        {
            warnings.Add($"{key} {path} is accessible to group or others (mode {Convert.ToString((int)mode, 8)}); it holds {holds}: chmod 600 {path}");
        }
    }
}
