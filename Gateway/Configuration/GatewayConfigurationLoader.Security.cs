using System.Net;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace CompositeGateway.Configuration;

/// <summary>The inbound security keys: <c>kubo_rpc.authorizations</c>, <c>kubo_rpc.unauthenticated_listen</c>, <c>admin_auth</c>, <c>tls</c> (docs/security.md).</summary>
internal static partial class GatewayConfigurationLoader
{
    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    private static partial Regex AuthorizationNamePattern();

    [GeneratedRegex("^/api/v0(/[a-z0-9][a-z0-9_-]*)*$")]
    private static partial Regex KuboCommandPath();

    private sealed partial class Reader
    {
        private (bool Ok, AdminAuthOptions? AdminAuth, TlsOptions? Tls) ReadSecurity(
            Dictionary<string, YamlNode> keys,
            (string Text, ListenAddress? Address, YamlNode? Node) listen,
            (string Text, ListenAddress? Address, YamlNode? Node) adminListen,
            KuboRpcOptions? kuboRpc)
        {
            var ok = true;
            AdminAuthOptions? adminAuth = null;
            if (keys.TryGetValue("admin_auth", out var adminNode))
            {
                adminAuth = ReadAdminAuth(adminNode);
                ok &= adminAuth is not null;
            }

            TlsOptions? tls = null;
            if (keys.TryGetValue("tls", out var tlsNode))
            {
                tls = ReadTls(tlsNode);
                ok &= tls is not null;
            }

            if (kuboRpc is not null && keys.GetValueOrDefault("kubo_rpc") is YamlMappingNode kuboNode
                && kuboNode.Children.TryGetValue(new YamlScalarNode("unauthenticated_listen"), out var openNode))
            {
                foreach (var text in kuboRpc.UnauthenticatedListen)
                {
                    var address = ListenAddress.Parse(text);
                    foreach (var (key, other) in new[] { ("listen", listen), ("admin_listen", adminListen) })
                    {
                        if (other.Address is not null && other.Address.Overlaps(address))
                        {
                            ok = Add("kubo_rpc.unauthenticated_listen", openNode, $"\"{text}\" must differ from {key} (\"{other.Text}\"): two listeners cannot share an address");
                        }
                    }
                }
            }

            return (ok, adminAuth, tls);
        }

        /// <summary><c>kubo_rpc.authorizations</c>: name → <c>secret_env</c> | <c>secret_file</c>, <c>allowed_paths</c>.</summary>
        private List<KuboAuthorization>? ReadAuthorizations(YamlNode node)
        {
            const string Path = "kubo_rpc.authorizations";
            if (Mapping(node, Path, "must be a mapping of names to { secret_env or secret_file, allowed_paths }") is not { } mapping)
            {
                return null;
            }

            var result = new List<KuboAuthorization>();
            var headers = new Dictionary<string, string>(StringComparer.Ordinal);
            var ok = true;
            foreach (var (keyNode, valueNode) in mapping.Children)
            {
                if (keyNode is not YamlScalarNode { Value: { Length: > 0 } name } || !AuthorizationNamePattern().IsMatch(name))
                {
                    ok = Add(Path, keyNode, "names must be letters, digits, '.', '-' and '_' (they appear in logs instead of the secret)");
                    continue;
                }

                var path = $"{Path}.{name}";
                if (Mapping(valueNode, path, "must be a mapping with secret_env or secret_file, and allowed_paths") is not { } entry)
                {
                    ok = false;
                    continue;
                }

                var keys = Keys(entry, path, ConfigurationSchema.Authorization);
                var secret = ReadSecret(keys, entry, path, "secret");
                string? header = null;
                if (secret is { } s)
                {
                    header = KuboAuthSecret.ToHeader(s.Value, out var error);
                    if (header is null)
                    {
                        ok = Add($"{path}.{s.Key}", keys[s.Key], $"the secret from {s.Source} {error}");
                    }
                    else if (headers.TryGetValue(header, out var first))
                    {
                        // Kubo keys its table by the header, so one of the two would silently lose its paths.
                        ok = Add($"{path}.{s.Key}", keys[s.Key], $"the same secret as {Path}.{first}: each entry needs its own");
                        header = null;
                    }
                    else
                    {
                        headers[header] = name;
                    }
                }

                List<string>? allowed = null;
                if (!keys.TryGetValue("allowed_paths", out var allowedNode))
                {
                    ok = Add($"{path}.allowed_paths", entry, "is required: a list of path prefixes, e.g. [\"/api/v0\"] for everything or [\"/api/v0/pin/ls\"]");
                }
                else if (TextList(allowedNode, $"{path}.allowed_paths", "e.g. [\"/api/v0/pin/ls\", \"/api/v0/id\"]") is { } list)
                {
                    if (list.Count == 0 || list.Any(p => !(p == "/api/v0" || p.StartsWith("/api/v0/", StringComparison.Ordinal))))
                    {
                        ok = Add($"{path}.allowed_paths", allowedNode, "must list one or more path prefixes that start with /api/v0, e.g. /api/v0/pin/ls");
                    }
                    else if (list.FirstOrDefault(p => !KuboCommandPath().IsMatch(p)) is { } dead)
                    {
                        // Requests are matched on their decoded, dot-segment-free path, case-sensitively as Kubo routes:
                        // such an entry could never match, and an operator would believe it grants something.
                        ok = Add($"{path}.allowed_paths", allowedNode, $"\"{dead}\" can never match a request: whole lower-case command segments only (no %, ?, #, //, . or .. segments, no trailing /), e.g. /api/v0/pin/ls");
                    }
                    else
                    {
                        allowed = list;
                    }
                }
                else
                {
                    ok = false;
                }

                if (secret is { } found && header is not null && allowed is not null)
                {
                    result.Add(new KuboAuthorization { Name = name, Secret = found.Value, SecretSource = found.Source, SecretFile = found.File, AllowedPaths = allowed });
                }
                else
                {
                    ok = false;
                }
            }

            return ok ? result : null;
        }

        /// <summary><c>kubo_rpc.unauthenticated_listen</c>: unix sockets and loopback addresses only, each once.</summary>
        private List<string>? ReadUnauthenticatedListen(YamlNode node)
        {
            const string Path = "kubo_rpc.unauthenticated_listen";
            if (TextList(node, Path, "e.g. [\"unix:/run/composite-gateway/kubo.sock\"] or [\"127.0.0.1:5002\"]") is not { } list)
            {
                return null;
            }

            var ok = true;
            var seen = new List<ListenAddress>();
            foreach (var text in list)
            {
                if (!ListenAddress.TryParse(text, out var address, out var error))
                {
                    ok = Add(Path, node, error);
                }
                else if (address.UnixSocketPath is null && !address.IsLocalhost && !IPAddress.IsLoopback(address.Address!))
                {
                    ok = Add(Path, node, $"\"{text}\" is reachable from other hosts: a listener without authorization must be a unix socket (unix:/path) or a loopback address (127.0.0.1, [::1], localhost)");
                }
                else if (seen.Any(a => a.Overlaps(address)))
                {
                    ok = Add(Path, node, $"\"{text}\" is listed twice");
                }
                else
                {
                    seen.Add(address);
                }
            }

            return ok ? list : null;
        }

        private AdminAuthOptions? ReadAdminAuth(YamlNode node)
        {
            const string Path = "admin_auth";
            if (Mapping(node, Path, "must be a mapping with token_env or token_file") is not { } mapping)
            {
                return null;
            }

            var keys = Keys(mapping, Path, ConfigurationSchema.Root.Keys[Path]);
            if (ReadSecret(keys, mapping, Path, "token") is not { } token)
            {
                return null;
            }

            if (token.Value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                Add($"{Path}.{token.Key}", keys[token.Key], $"the token from {token.Source} must not contain spaces or control characters");
                return null;
            }

            return new AdminAuthOptions { Token = token.Value, TokenSource = token.Source, TokenFile = token.File };
        }

        private TlsOptions? ReadTls(YamlNode node)
        {
            const string Path = "tls";
            if (Mapping(node, Path, "must be a mapping with cert_file and key_file") is not { } mapping)
            {
                return null;
            }

            var keys = Keys(mapping, Path, ConfigurationSchema.Root.Keys[Path]);
            string? File(string key)
            {
                if (!keys.TryGetValue(key, out var fileNode))
                {
                    Add($"{Path}.{key}", mapping, "is required: tls needs both cert_file and key_file (PEM)");
                    return null;
                }

                return Text(fileNode, $"{Path}.{key}") is { } text ? System.IO.Path.GetFullPath(text, baseDirectory) : null;
            }

            var (cert, key) = (File("cert_file"), File("key_file"));
            if (cert is null || key is null)
            {
                return null;
            }

            // Loaded once here so that a wrong pair stops the start with a clear message; the host loads it again and watches it.
            using var loaded = TlsFiles.ReadCertificateWithKey(cert, key, out var error);
            if (loaded is null)
            {
                Add($"{Path}.cert_file", keys["cert_file"], error!);
                return null;
            }

            return new TlsOptions { CertFile = cert, KeyFile = key };
        }

        /// <summary>
        /// A secret from <c>{name}_env</c> (an environment variable) or <c>{name}_file</c> (a file, trailing newline
        /// dropped): exactly one of them. Messages name the variable or file, never the value.
        /// </summary>
        private (string Value, string Source, string Key, string? File)? ReadSecret(Dictionary<string, YamlNode> keys, YamlMappingNode mapping, string path, string name)
        {
            var (envKey, fileKey) = (name + "_env", name + "_file");
            var hasEnv = keys.TryGetValue(envKey, out var envNode);
            var hasFile = keys.TryGetValue(fileKey, out var fileNode);
            if (hasEnv && hasFile)
            {
                Add(path, mapping, $"set only one of {envKey} and {fileKey}");
                return null;
            }

            if (!hasEnv && !hasFile)
            {
                Add(path, mapping, $"needs {envKey} (the name of an environment variable holding the {name}) or {fileKey} (a file holding it)");
                return null;
            }

            if (hasEnv)
            {
                if (Text(envNode!, $"{path}.{envKey}") is not { } variable)
                {
                    return null;
                }

                if (!environment.TryGetValue(variable, out var value) || value.Length == 0)
                {
                    Add($"{path}.{envKey}", envNode, $"environment variable {variable} is {(value is null ? "not set" : "empty")}");
                    return null;
                }

                return (value, $"env {variable}", envKey, null);
            }

            if (Text(fileNode!, $"{path}.{fileKey}") is not { } file)
            {
                return null;
            }

            var fullPath = System.IO.Path.GetFullPath(file, baseDirectory);
            try
            {
                // A trailing newline is an editor's habit, not part of the secret.
                var value = System.IO.File.ReadAllText(fullPath).TrimEnd('\r', '\n');
                if (value.Length == 0)
                {
                    Add($"{path}.{fileKey}", fileNode, $"file {fullPath} is empty");
                    return null;
                }

                return (value, $"file {fullPath}", fileKey, fullPath);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                Add($"{path}.{fileKey}", fileNode, $"file {fullPath} does not exist");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Add($"{path}.{fileKey}", fileNode, $"cannot read {fullPath}: {e.Message}");
            }

            return null;
        }
    }
}
