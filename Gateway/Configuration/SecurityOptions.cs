namespace CompositeGateway.Configuration;

/// <summary>
/// One entry of <c>kubo_rpc.authorizations</c>, Kubo's <c>API.Authorizations</c>: whoever sends <see cref="Secret"/> as
/// its <c>Authorization</c> header may call the paths under <see cref="AllowedPaths"/> (docs/security.md).
/// </summary>
internal sealed record KuboAuthorization
{
    /// <summary>The entry's name, used in logs instead of the secret.</summary>
    public required string Name { get; init; }

    /// <summary>The secret in Kubo's form (<c>bearer:TOKEN</c>, <c>basic:user:password</c>); resolved from <c>secret_env</c> or <c>secret_file</c>.</summary>
    public required string Secret { get; init; }

    /// <summary>Where the secret came from, for <c>check-config</c> (which never prints the secret).</summary>
    public required string SecretSource { get; init; }

    /// <summary>The <c>secret_file</c>, when the secret came from one (its mode is checked, see <see cref="SecretFiles"/>).</summary>
    public string? SecretFile { get; init; }

    /// <summary>Path prefixes this entry may call, e.g. <c>/api/v0/pin/ls</c>.</summary>
    public required IReadOnlyList<string> AllowedPaths { get; init; }

    /// <summary>The <c>Authorization</c> header value that carries <see cref="Secret"/>, as Kubo's <c>config.ConvertAuthSecret</c> builds it.</summary>
    public string ExpectedHeader => KuboAuthSecret.ToHeader(Secret, out _)!;
}

/// <summary><c>tls</c>: the certificate served on every TCP listener except <c>kubo_rpc.unauthenticated_listen</c>.</summary>
internal sealed record TlsOptions
{
    /// <summary>PEM certificate (chain) file; re-read when it changes.</summary>
    public required string CertFile { get; init; }

    /// <summary>PEM private key file; re-read when it changes.</summary>
    public required string KeyFile { get; init; }

    /// <summary>How often a timer checks the files for a change.</summary>
    public TimeSpan ReloadCheckInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary><c>admin_auth</c>: a bearer token for <c>/metrics</c>, <c>/ready</c> and <c>/topology</c>; <c>/health</c> stays open.</summary>
internal sealed record AdminAuthOptions
{
    /// <summary>The token; resolved from <c>token_env</c> or <c>token_file</c>.</summary>
    public required string Token { get; init; }

    /// <summary>Where the token came from, for <c>check-config</c>.</summary>
    public required string TokenSource { get; init; }

    /// <summary>The <c>token_file</c>, when the token came from one.</summary>
    public string? TokenFile { get; init; }
}
