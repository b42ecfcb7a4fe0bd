using System.Globalization;
using System.Text.RegularExpressions;
using CompositeGateway.Go;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CompositeGateway.Configuration;

/// <summary>
/// Reads <c>gateway.yaml</c> through YamlDotNet's representation model (so every value keeps its line),
/// applies <see cref="EnvironmentOverrides"/>, and validates everything, collecting every problem
/// instead of stopping at the first (docs/development/style.md §4).
/// </summary>
internal static partial class GatewayConfigurationLoader
{
    public static ConfigurationLoadResult LoadFile(string path, IReadOnlyDictionary<string, string> environment)
    {
        var fullPath = Path.GetFullPath(path);
        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return ConfigurationLoadResult.Failed(new ConfigurationProblem("", null, $"configuration file {fullPath} does not exist"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ConfigurationLoadResult.Failed(new ConfigurationProblem("", null, $"cannot read configuration file {fullPath}: {e.Message}"));
        }

        var result = LoadText(text, Path.GetDirectoryName(fullPath)!, environment);
        return result.Succeeded ? result with { Options = result.Options with { ConfigFile = fullPath } } : result;
    }

    /// <summary>Loads YAML text; relative <c>identity_file</c> / <c>password_file</c> resolve against <paramref name="baseDirectory"/>.</summary>
    public static ConfigurationLoadResult LoadText(string yaml, string baseDirectory, IReadOnlyDictionary<string, string> environment)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            // YamlDotNet reports a repeated key as "Duplicate key <key>" at the second occurrence.
            const string Duplicate = "Duplicate key ";
            var message = e.Message.StartsWith(Duplicate, StringComparison.Ordinal)
                ? $"duplicate key \"{e.Message[Duplicate.Length..]}\": a key may appear only once in a mapping"
                : $"not valid YAML: {e.Message}";
            return ConfigurationLoadResult.Failed(new ConfigurationProblem("", (int)e.Start.Line, message));
        }

        if (stream.Documents.Count > 1)
        {
            return ConfigurationLoadResult.Failed(new ConfigurationProblem("", (int)stream.Documents[1].RootNode.Start.Line, "the file must hold a single YAML document"));
        }

        var reader = new Reader(baseDirectory, environment);
        return reader.Read(stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode);
    }

    internal static bool IsNullScalar(YamlScalarNode scalar) =>
        string.IsNullOrEmpty(scalar.Value) || (scalar.Style == ScalarStyle.Plain && scalar.Value is "~" or "null" or "Null" or "NULL");

    [GeneratedRegex("^[a-z0-9_-]+$")]
    private static partial Regex NamePattern();

    private sealed partial class Reader(string baseDirectory, IReadOnlyDictionary<string, string> environment)
    {
        private readonly List<ConfigurationProblem> problems = [];
        private readonly Dictionary<YamlNode, string> origins = new(ReferenceEqualityComparer.Instance);

        // Lines of nodes we synthesise (an empty section stands in for "health:"), keyed by reference.
        private readonly Dictionary<YamlNode, int?> lines = new(ReferenceEqualityComparer.Instance);

        public ConfigurationLoadResult Read(YamlNode? rootNode)
        {
            YamlMappingNode root;
            if (rootNode is YamlMappingNode mapping)
            {
                root = mapping;
            }
            else if (rootNode is null || (rootNode is YamlScalarNode scalar && IsNullScalar(scalar)))
            {
                root = new YamlMappingNode();
            }
            else
            {
                return ConfigurationLoadResult.Failed(new ConfigurationProblem("", Line(rootNode),
                    $"the file must be a YAML mapping of settings ({string.Join(", ", ConfigurationSchema.Root.Keys.Keys)})"));
            }

            EnvironmentOverrides.Apply(root, environment, origins, problems);
            var options = ReadRoot(root);
            // In file order, so a reader can walk down the file; problems without a line (environment) come last.
            return problems.Count == 0 && options is not null
                ? new ConfigurationLoadResult(options, [])
                : ConfigurationLoadResult.Failed([.. problems.OrderBy(p => p.Line ?? int.MaxValue)]);
        }

        private GatewayOptions? ReadRoot(YamlMappingNode root)
        {
            var keys = Keys(root, "", ConfigurationSchema.Root);
            var defaults = new GatewayOptions();

            var listen = ReadListen(keys, "listen", defaults.Listen);
            var adminListen = ReadListen(keys, "admin_listen", defaults.AdminListen);
            if (listen.Address is not null && adminListen.Address is not null && listen.Address.Overlaps(adminListen.Address))
            {
                // Blame the key the user wrote; if both are written, admin_listen.
                var (path, node, other, otherText) = adminListen.Node is not null || listen.Node is null
                    ? ("admin_listen", adminListen.Node, "listen", listen.Text)
                    : ("listen", listen.Node, "admin_listen", adminListen.Text);
                Add(path, node, $"must differ from {other} (\"{otherText}\"): the Kubo RPC and admin listeners cannot share an address");
            }

            var identityFile = defaults.IdentityFile;
            if (keys.TryGetValue("identity_file", out var identityNode) && Text(identityNode, "identity_file") is { } identityText)
            {
                identityFile = identityText;
            }

            identityFile = Path.GetFullPath(identityFile, baseDirectory);
            if (Directory.Exists(identityFile))
            {
                Add("identity_file", identityNode, $"{identityFile} is a folder; identity_file must name a file (it is created on first run)");
            }

            var underclusters = ReadUnderclusters(keys, new OwnListeners(listen.Text, listen.Address, adminListen.Text, adminListen.Address));
            var health = keys.TryGetValue("health", out var healthNode) ? ReadHealth(healthNode) : defaults.Health;
            var pinPath = keys.TryGetValue("pin_path", out var pinPathNode) ? ReadPinPath(pinPathNode) : defaults.PinPath;
            var kuboRpc = keys.TryGetValue("kubo_rpc", out var kuboRpcNode) ? ReadKuboRpc(kuboRpcNode) : defaults.KuboRpc;
            var placement = keys.TryGetValue("placement", out var placementNode) ? ReadPlacement(placementNode, underclusters?.Count ?? 0) : defaults.Placement;
            var telemetry = keys.TryGetValue("telemetry", out var telemetryNode) ? ReadTelemetry(telemetryNode) : defaults.Telemetry;
            var security = ReadSecurity(keys, listen, adminListen, kuboRpc);
            var rootValues = new SectionValues("", root, keys);
            var bound = Bind<GatewayOptions>(rootValues, ConfigurationKeys.Root);

            return underclusters is null || health is null || pinPath is null || kuboRpc is null || placement is null || telemetry is null || !security.Ok || rootValues.Failed.Count > 0 ? null : bound with
            {
                AdminAuth = security.AdminAuth,
                Tls = security.Tls,
                Listen = listen.Text,
                AdminListen = adminListen.Text,
                IdentityFile = identityFile,
                Underclusters = underclusters,
                Health = health,
                PinPath = pinPath,
                KuboRpc = kuboRpc,
                Placement = placement,
                Telemetry = telemetry,
            };
        }

        private (string Text, ListenAddress? Address, YamlNode? Node) ReadListen(Dictionary<string, YamlNode> keys, string key, string fallback)
        {
            if (!keys.TryGetValue(key, out var node))
            {
                return (fallback, ListenAddress.Parse(fallback), null);
            }

            if (Text(node, key) is not { } text)
            {
                return (fallback, null, node);
            }

            if (!ListenAddress.TryParse(text, out var address, out var error))
            {
                Add(key, node, error);
            }

            return (text, address, node);
        }

        private List<UnderclusterOptions>? ReadUnderclusters(Dictionary<string, YamlNode> keys, OwnListeners own)
        {
            const string Path = "underclusters";
            const string Required = "at least one undercluster is required: a list of entries with name and url";
            if (!keys.TryGetValue(Path, out var node))
            {
                Add(Path, null, Required);
                return null;
            }

            if (node is YamlScalarNode scalar && IsNullScalar(scalar))
            {
                Add(Path, node, Required);
                return null;
            }

            if (node is not YamlSequenceNode sequence)
            {
                Add(Path, node, "must be a list of entries with name and url");
                return null;
            }

            if (sequence.Children.Count == 0)
            {
                Add(Path, node, Required);
                return null;
            }

            var result = new List<UnderclusterOptions>();
            var names = new Dictionary<string, (string Path, YamlNode Node)>(StringComparer.Ordinal);
            var urls = new Dictionary<string, (string Path, YamlNode Node)>(StringComparer.Ordinal);
            for (var i = 0; i < sequence.Children.Count; i++)
            {
                if (ReadUndercluster(sequence.Children[i], $"{Path}[{i}]", names, urls, own) is { } undercluster)
                {
                    result.Add(undercluster);
                }
            }

            return result.Count == sequence.Children.Count ? result : null;
        }

        private UnderclusterOptions? ReadUndercluster(
            YamlNode node, string path, Dictionary<string, (string Path, YamlNode Node)> names, Dictionary<string, (string Path, YamlNode Node)> urls, OwnListeners own)
        {
            if (Mapping(node, path, "must be a mapping with at least name and url") is not { } mapping)
            {
                return null;
            }

            var keys = Keys(mapping, path, ConfigurationSchema.Undercluster);
            var ok = true;

            string? name = null;
            if (!keys.TryGetValue("name", out var nameNode))
            {
                ok = Add($"{path}.name", mapping, "is required");
            }
            else if (Text(nameNode, $"{path}.name") is not { } nameText)
            {
                ok = false;
            }
            else if (!NamePattern().IsMatch(nameText))
            {
                ok = Add($"{path}.name", nameNode, $"\"{nameText}\" is not a valid name: use lowercase letters, digits, '-' and '_'");
            }
            else if (names.TryGetValue(nameText, out var first))
            {
                ok = Add($"{path}.name", nameNode, $"duplicate name \"{nameText}\": already used by {first.Path}{Where(first.Node)}");
            }
            else
            {
                names[nameText] = (path, nameNode);
                name = nameText;
            }

            Uri? url = null;
            if (!keys.TryGetValue("url", out var urlNode))
            {
                ok = Add($"{path}.url", mapping, "is required");
            }
            else if (Text(urlNode, $"{path}.url") is not { } urlText)
            {
                ok = false;
            }
            else if (!Uri.TryCreate(urlText, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https") || parsed.Host.Length == 0)
            {
                ok = Add($"{path}.url", urlNode, "must be an absolute http or https URL, e.g. http://127.0.0.1:9094");
            }
            else if (parsed.UserInfo.Length > 0)
            {
                ok = Add($"{path}.url", urlNode, "must not contain credentials: use auth with username and password_env or password_file");
            }
            else if (parsed.Query.Length > 0 || parsed.Fragment.Length > 0)
            {
                ok = Add($"{path}.url", urlNode, "must not have a query (?…) or fragment (#…): it is the base URL of the cluster REST API");
            }
            else if (own.Describe(parsed) is { } self)
            {
                ok = Add($"{path}.url", urlNode, self);
            }
            else
            {
                var normalised = string.Create(CultureInfo.InvariantCulture, $"{parsed.Scheme}://{parsed.Host}:{parsed.Port}{parsed.AbsolutePath.TrimEnd('/')}");
                if (urls.TryGetValue(normalised, out var first))
                {
                    ok = Add($"{path}.url", urlNode, $"same URL as {first.Path}{Where(first.Node)}: {normalised}");
                }
                else
                {
                    urls[normalised] = (path, urlNode);
                    url = parsed;
                }
            }

            Uri? ipfsApi = null;
            if (keys.TryGetValue("ipfs_api", out var ipfsApiNode))
            {
                ipfsApi = ReadIpfsApi(ipfsApiNode, $"{path}.ipfs_api", own);
                ok &= ipfsApi is not null;
            }

            var authOk = true;
            ClusterAuthOptions? auth = null;
            if (keys.TryGetValue("auth", out var authNode))
            {
                auth = ReadAuth(authNode, $"{path}.auth");
                authOk = auth is not null;
            }

            UnderclusterTlsOptions? tls = null;
            if (keys.TryGetValue("tls", out var tlsNode))
            {
                tls = ReadUnderclusterTls(tlsNode, $"{path}.tls");
                ok &= tls is not null;
                if (tls is not null && url is not null && url.Scheme != Uri.UriSchemeHttps)
                {
                    ok = Add($"{path}.tls", tlsNode, $"applies to https URLs only, and url is {url.Scheme}: write url: https://…");
                }
            }

            var placement = new SectionValues(path, mapping, keys);
            var bound = Bind<UnderclusterOptions>(placement, ConfigurationKeys.Undercluster);
            var (replicationMin, replicationMax, weight) = (bound.ReplicationFactorMin, bound.ReplicationFactorMax, bound.Weight);
            var tags = keys.TryGetValue("tags", out var tagsNode) ? ReadTags(tagsNode, $"{path}.tags") : bound.Tags;
            if (!placement.Failed.Contains("weight") && (weight <= 0 || double.IsNaN(weight) || double.IsInfinity(weight)))
            {
                ok = Add($"{path}.weight", keys.GetValueOrDefault("weight"), "must be a positive number");
            }

            if (!placement.Failed.Contains("replication_factor_min") && !placement.Failed.Contains("replication_factor_max"))
            {
                if (replicationMin < -1 || replicationMax < -1 || (replicationMin == -1) != (replicationMax == -1)
                    || (replicationMin == 0) != (replicationMax == 0) || (replicationMin > 0 && replicationMin > replicationMax))
                {
                    ok = Add($"{path}.replication_factor_min", keys.GetValueOrDefault("replication_factor_min") ?? keys.GetValueOrDefault("replication_factor_max") ?? mapping,
                        "replication_factor_min/max: set both (−1/−1 = every peer, or 1 ≤ min ≤ max) or neither");
                }
            }

            return ok && authOk && placement.Failed.Count == 0 && tags is not null && name is not null && url is not null
                ? bound with { Name = name, Url = url, Auth = auth, Tls = tls, Tags = tags, IpfsApi = ipfsApi }
                : null;
        }

        /// <summary><c>ipfs_api</c>: an absolute http(s) base URL without credentials, query or fragment, not this gateway.</summary>
        private Uri? ReadIpfsApi(YamlNode node, string path, OwnListeners own)
        {
            if (Text(node, path) is not { } text)
            {
                return null;
            }

            if (!Uri.TryCreate(text, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https") || parsed.Host.Length == 0)
            {
                Add(path, node, "must be an absolute http or https URL of an IPFS daemon's RPC API, e.g. http://127.0.0.1:5001");
                return null;
            }

            if (parsed.UserInfo.Length > 0 || parsed.Query.Length > 0 || parsed.Fragment.Length > 0)
            {
                Add(path, node, "must not contain credentials, a query (?…) or a fragment (#…): it is the base URL of the daemon (without /api/v0)");
                return null;
            }

            if (parsed.AbsolutePath.TrimEnd('/').EndsWith("/api/v0", StringComparison.Ordinal))
            {
                Add(path, node, $"is the daemon's base URL without /api/v0, e.g. {parsed.GetLeftPart(UriPartial.Authority)}");
                return null;
            }

            if (own.Describe(parsed) is { } self)
            {
                Add(path, node, self);
                return null;
            }

            return parsed;
        }

        /// <summary><c>tags</c>: a list of free-form strings (<c>region=eu</c>, <c>reliable</c>); kept as given, <c>key=value</c> split at the first '='.</summary>
        private IReadOnlyDictionary<string, string>? ReadTags(YamlNode node, string path)
        {
            if (node is not YamlSequenceNode sequence)
            {
                Add(path, node, "must be a list of strings, e.g. [region=eu, reliable]");
                return null;
            }

            var tags = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var item in sequence.Children)
            {
                if (Text(item, path) is not { } text)
                {
                    return null;
                }

                var at = text.IndexOf('=', StringComparison.Ordinal);
                tags[at < 0 ? text : text[..at]] = at < 0 ? "" : text[(at + 1)..];
            }

            return tags;
        }

        /// <summary><c>placement</c>, like <see cref="ReadPinPath"/>; quorum and copies are checked against the number of underclusters.</summary>
        private PlacementOptions? ReadPlacement(YamlNode node, int underclusters)
        {
            if (Section(node, "placement", "placement", ConfigurationSchema.Placement) is not { } values)
            {
                return null;
            }

            var options = Bind<PlacementOptions>(values, ConfigurationKeys.Placement);
            return Locate(options.Validate(underclusters), values) ? options : null;
        }

        /// <summary><c>telemetry</c>, like <see cref="ReadPinPath"/>, with its <c>otlp</c> mapping read the same way.</summary>
        private TelemetryOptions? ReadTelemetry(YamlNode node)
        {
            if (Section(node, "telemetry", "telemetry", ConfigurationSchema.Telemetry) is not { } values)
            {
                return null;
            }

            var otlp = new OtlpOptions();
            if (values.Keys.TryGetValue("otlp", out var otlpNode))
            {
                if (Section(otlpNode, "telemetry.otlp", "OTLP export", ConfigurationSchema.Telemetry.Keys["otlp"]) is { } otlpValues)
                {
                    otlp = Bind<OtlpOptions>(otlpValues, ConfigurationKeys.Otlp);
                    if (otlpValues.Failed.Count > 0)
                    {
                        values.Failed.Add("otlp");
                    }
                }
                else
                {
                    values.Failed.Add("otlp");
                }
            }

            var options = Bind<TelemetryOptions>(values, ConfigurationKeys.Telemetry) with { Otlp = otlp };
            return Locate(options.Validate(), values) ? options : null;
        }

        private ClusterAuthOptions? ReadAuth(YamlNode node, string path)
        {
            if (Mapping(node, path, "must be a mapping with username and password_env or password_file") is not { } mapping)
            {
                return null;
            }

            var keys = Keys(mapping, path, ConfigurationSchema.Auth);
            var values = new SectionValues(path, mapping, keys);
            var mode = Bind<ClusterAuthOptions>(values, ConfigurationKeys.Auth).Mode;
            string? username = null;
            if (!keys.TryGetValue("username", out var usernameNode))
            {
                Add($"{path}.username", mapping, "is required");
            }
            else
            {
                username = Text(usernameNode, $"{path}.username");
            }

            var password = ReadSecret(keys, mapping, path, "password");
            return username is null || password is not { } found || values.Failed.Count > 0
                ? null
                : new ClusterAuthOptions { Mode = mode, Username = username, Password = found.Value, PasswordSource = found.Source, PasswordFile = found.File };
        }

        /// <summary>
        /// <c>tls</c>: the files are read and parsed here, so a missing file or a key that does not match its
        /// certificate fails <c>check-config</c> and start-up rather than the first call.
        /// </summary>
        private UnderclusterTlsOptions? ReadUnderclusterTls(YamlNode node, string path)
        {
            if (Mapping(node, path, "must be a mapping with ca_file, client_certificate_file, client_key_file and/or insecure_skip_verify") is not { } mapping)
            {
                return null;
            }

            var keys = Keys(mapping, path, ConfigurationSchema.UnderclusterTls);
            var values = new SectionValues(path, mapping, keys);
            var options = Bind<UnderclusterTlsOptions>(values, ConfigurationKeys.UnderclusterTls);
            var ok = values.Failed.Count == 0;

            string? File(string key)
            {
                if (!keys.TryGetValue(key, out var fileNode))
                {
                    return null;
                }

                if (Text(fileNode, $"{path}.{key}") is not { } text)
                {
                    ok = false;
                    return null;
                }

                var full = System.IO.Path.GetFullPath(text, baseDirectory);
                if (!System.IO.File.Exists(full))
                {
                    ok = Add($"{path}.{key}", fileNode, $"file {full} does not exist");
                    return null;
                }

                return full;
            }

            var ca = File("ca_file");
            var certificate = File("client_certificate_file");
            var key = File("client_key_file");
            if (ca is not null && TlsFiles.ReadCaBundle(ca, out var caError) is null)
            {
                ok = Add($"{path}.ca_file", keys["ca_file"], caError!);
            }

            if (keys.ContainsKey("client_certificate_file") != keys.ContainsKey("client_key_file"))
            {
                ok = Add(path, mapping, "set both client_certificate_file and client_key_file (a client certificate needs its key), or neither");
            }
            else if (certificate is not null && key is not null)
            {
                using var loaded = TlsFiles.ReadCertificateWithKey(certificate, key, out var certificateError);
                if (loaded is null)
                {
                    ok = Add($"{path}.client_certificate_file", keys["client_certificate_file"], certificateError!);
                }
            }

            if (options.InsecureSkipVerify && keys.ContainsKey("ca_file"))
            {
                ok = Add($"{path}.insecure_skip_verify", keys["insecure_skip_verify"], "true accepts any server certificate, so ca_file would be ignored: set one of them");
            }

            return ok ? options with { CaFile = ca, ClientCertificateFile = certificate, ClientKeyFile = key } : null;
        }

        private HealthOptions? ReadHealth(YamlNode node)
        {
            const string Path = "health";
            if (Mapping(node, Path, "must be a mapping with probe_interval and/or ready_within") is not { } mapping)
            {
                return null;
            }

            var keys = Keys(mapping, Path, ConfigurationSchema.Health);
            var values = new SectionValues(Path, mapping, keys);
            var options = Bind<HealthOptions>(values, ConfigurationKeys.Health);
            if (values.Failed.Count > 0)
            {
                return null;
            }

            var (probe, ready, probeNode, readyNode) = (options.ProbeInterval, options.ReadyWithin, keys.GetValueOrDefault("probe_interval"), keys.GetValueOrDefault("ready_within"));

            if (ready < probe)
            {
                // Blame whichever key was written; ready_within when both (or neither) were.
                var (path, blamed) = readyNode is not null || probeNode is null ? ("ready_within", readyNode) : ("probe_interval", probeNode);
                Add($"{Path}.{path}", blamed ?? mapping,
                    $"health.ready_within ({GoDuration.Format(ready)}) must be at least health.probe_interval ({GoDuration.Format(probe)}), or an undercluster could never stay ready between probes");
                return null;
            }

            return options;
        }

        /// <summary>
        /// <c>pin_path</c>: each value parsed here, the rules between and on values checked by
        /// <see cref="PinPathOptions.Validate"/> and located by <see cref="Locate"/>.
        /// </summary>
        private PinPathOptions? ReadPinPath(YamlNode node)
        {
            if (Section(node, "pin_path", "pin path", ConfigurationSchema.PinPath) is not { } values)
            {
                return null;
            }

            var options = Bind<PinPathOptions>(values, ConfigurationKeys.PinPath);
            return Locate(options.Validate(), values) ? options : null;
        }

        /// <summary><c>kubo_rpc</c>, like <see cref="ReadPinPath"/>; its lists and the header mapping are read here.</summary>
        private KuboRpcOptions? ReadKuboRpc(YamlNode node)
        {
            if (Section(node, "kubo_rpc", "Kubo RPC", ConfigurationSchema.KuboRpc) is not { } values)
            {
                return null;
            }

            var defaults = new KuboRpcOptions();
            var forward = defaults.Forward;
            if (values.Keys.TryGetValue("forward", out var forwardNode))
            {
                if (Mapping(forwardNode, "kubo_rpc.forward", "must be a mapping with commands") is { } forwardMapping)
                {
                    var forwardKeys = Keys(forwardMapping, "kubo_rpc.forward", ConfigurationSchema.KuboRpc.Keys["forward"]);
                    if (forwardKeys.TryGetValue("commands", out var commandsNode))
                    {
                        if (TextList(commandsNode, "kubo_rpc.forward.commands", "e.g. [cat, block/get] or [\"*\"]") is { } commands)
                        {
                            forward = new ForwardOptions { Commands = commands };
                        }
                        else
                        {
                            values.Failed.Add("forward");
                        }
                    }

                    // Problems found by ForwardOptions.Validate are reported at the commands list.
                    values.Keys["forward.commands"] = commandsNode ?? forwardMapping;
                }
                else
                {
                    values.Failed.Add("forward");
                }
            }

            var headers = defaults.HttpHeaders;
            if (values.Keys.TryGetValue("http_headers", out var headersNode))
            {
                if (ReadHttpHeaders(headersNode) is { } read)
                {
                    headers = read;
                }
                else
                {
                    values.Failed.Add("http_headers");
                }
            }

            var extract = defaults.ExtractHeadersExtra;
            if (values.Keys.TryGetValue("extract_headers_extra", out var extractNode))
            {
                if (TextList(extractNode, "kubo_rpc.extract_headers_extra", "e.g. [X-Custom-Header]") is { } names)
                {
                    extract = names;
                }
                else
                {
                    values.Failed.Add("extract_headers_extra");
                }
            }

            var authorizations = defaults.Authorizations;
            if (values.Keys.TryGetValue("authorizations", out var authorizationsNode))
            {
                if (ReadAuthorizations(authorizationsNode) is { } read)
                {
                    authorizations = read;
                }
                else
                {
                    values.Failed.Add("authorizations");
                }
            }

            var unauthenticated = defaults.UnauthenticatedListen;
            if (values.Keys.TryGetValue("unauthenticated_listen", out var unauthenticatedNode))
            {
                if (ReadUnauthenticatedListen(unauthenticatedNode) is { } read)
                {
                    unauthenticated = read;
                }
                else
                {
                    values.Failed.Add("unauthenticated_listen");
                }
            }

            var options = Bind<KuboRpcOptions>(values, ConfigurationKeys.KuboRpc) with
            {
                Authorizations = authorizations,
                UnauthenticatedListen = unauthenticated,
                Forward = forward,
                HttpHeaders = headers,
                ExtractHeadersExtra = extract,
            };
            return Locate(options.Validate(), values) ? options : null;
        }

        /// <summary><c>kubo_rpc.http_headers</c>: header name → list of values, as Kubo's <c>API.HTTPHeaders</c>.</summary>
        private Dictionary<string, IReadOnlyList<string>>? ReadHttpHeaders(YamlNode node)
        {
            const string Path = "kubo_rpc.http_headers";
            if (Mapping(node, Path, "must be a mapping of header name to a list of values, e.g. Access-Control-Allow-Origin: [\"https://webui.example.org\"]") is not { } mapping)
            {
                return null;
            }

            var headers = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
            var ok = true;
            foreach (var (keyNode, valueNode) in mapping.Children)
            {
                if (keyNode is not YamlScalarNode { Value: { Length: > 0 } name })
                {
                    ok = Add(Path, keyNode, "keys must be header names");
                    continue;
                }

                if (headers.ContainsKey(name))
                {
                    ok = Add($"{Path}.{name}", keyNode, "is listed twice (header names are case-insensitive)");
                    continue;
                }

                if (TextList(valueNode, $"{Path}.{name}", "e.g. [\"value\"]") is { } list)
                {
                    headers[name] = list;
                }
                else
                {
                    ok = false;
                }
            }

            return ok ? headers : null;
        }

        /// <summary>A list of non-empty plain values; null, reported, otherwise.</summary>
        private List<string>? TextList(YamlNode node, string path, string example)
        {
            if (node is not YamlSequenceNode sequence)
            {
                Add(path, node, $"must be a list, {example}");
                return null;
            }

            var result = new List<string>();
            foreach (var item in sequence.Children)
            {
                if (Text(item, path) is not { } text)
                {
                    return null;
                }

                result.Add(text);
            }

            return result;
        }

        /// <summary>A section that is a mapping of <paramref name="schema"/>'s keys (empty for "section:"); null, reported, when it is not a mapping.</summary>
        private SectionValues? Section(YamlNode node, string section, string what, SchemaNode schema) =>
            Mapping(node, section, $"must be a mapping of {what} settings ({string.Join(", ", schema.Keys.Keys)})") is { } mapping
                ? new SectionValues(section, mapping, Keys(mapping, section, schema))
                : null;

        /// <summary>
        /// The section's record with every scalar key that <see cref="ConfigurationKeys"/> binds read from the file, the
        /// others at their defaults; keys whose value does not parse are reported and put in <see cref="SectionValues.Failed"/>.
        /// </summary>
        private T Bind<T>(SectionValues values, ConfigurationSection section)
            where T : class
        {
            var record = section.Defaults;
            foreach (var key in section.Keys)
            {
                if (key is not { Set: { } set, Kind: { Parse: { } parse, IsList: false } } || !values.Keys.TryGetValue(key.Name, out var node))
                {
                    continue;
                }

                var path = values.Section.Length == 0 ? key.Name : $"{values.Section}.{key.Name}";
                if (Text(node, path) is not { } text)
                {
                    values.Failed.Add(key.Name);
                }
                else if (parse(text, out var error) is { } value)
                {
                    record = set(record, value);
                }
                else
                {
                    Add(path, node, error!);
                    values.Failed.Add(key.Name);
                }
            }

            return (T)record;
        }

        /// <summary>
        /// Reports a record's own problems at the key the user wrote (<see cref="OptionProblem.RelatedKey"/> when only that
        /// one was set, else the section). Problems about a key whose value did not parse are dropped: they would judge
        /// the default standing in for it. True when the section is valid.
        /// </summary>
        private bool Locate(IReadOnlyList<OptionProblem> recordProblems, SectionValues values)
        {
            foreach (var problem in recordProblems)
            {
                if (values.Failed.Contains(problem.Key) || (problem.RelatedKey is { } related && values.Failed.Contains(related)))
                {
                    continue;
                }

                var key = !values.Keys.ContainsKey(problem.Key) && problem.RelatedKey is { } other && values.Keys.ContainsKey(other) ? other : problem.Key;
                Add($"{values.Section}.{key}", values.Keys.GetValueOrDefault(key) ?? values.Mapping, problem.Message);
            }

            return values.Failed.Count == 0 && recordProblems.Count == 0;
        }

        /// <summary>The keys of one section and which of them failed to parse.</summary>
        private sealed class SectionValues(string section, YamlMappingNode mapping, Dictionary<string, YamlNode> keys)
        {
            public string Section => section;

            public YamlMappingNode Mapping => mapping;

            public Dictionary<string, YamlNode> Keys => keys;

            public HashSet<string> Failed { get; } = new(StringComparer.Ordinal);
        }

        /// <summary>The known keys of a mapping by name; reports unknown, refused and non-scalar keys.</summary>
        private Dictionary<string, YamlNode> Keys(YamlMappingNode mapping, string path, SchemaNode schema)
        {
            var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach (var (keyNode, valueNode) in mapping.Children)
            {
                if (keyNode is not YamlScalarNode { Value: { } key })
                {
                    Add(path, keyNode, "keys must be plain names");
                    continue;
                }

                var keyPath = path.Length == 0 ? key : $"{path}.{key}";
                if (schema.Keys.ContainsKey(key) || schema.AnyKey is not null)
                {
                    result[key] = valueNode;
                }
                else if (schema.RejectedKeys.TryGetValue(key, out var rejection))
                {
                    Add(keyPath, keyNode, rejection);
                }
                else
                {
                    var closest = KeySuggestion.Closest(key, schema.Keys.Keys);
                    Add(keyPath, keyNode, closest is null
                        ? $"unknown key; known keys here: {string.Join(", ", schema.Keys.Keys)}"
                        : $"unknown key; did you mean \"{closest}\"?");
                }
            }

            return result;
        }

        private YamlMappingNode? Mapping(YamlNode node, string path, string message)
        {
            switch (node)
            {
                case YamlMappingNode mapping:
                    return mapping;
                case YamlScalarNode scalar when IsNullScalar(scalar):
                    // An empty section ("health:") means "all defaults"; keep the node's position for messages.
                    var empty = new YamlMappingNode();
                    origins[empty] = origins.GetValueOrDefault(node) ?? "";
                    lines[empty] = Line(node);
                    return empty;
                default:
                    Add(path, node, message);
                    return null;
            }
        }

        private string? Text(YamlNode node, string path)
        {
            if (node is not YamlScalarNode scalar)
            {
                Add(path, node, "must be a single value, not a list or mapping");
                return null;
            }

            if (IsNullScalar(scalar))
            {
                Add(path, node, "must not be empty");
                return null;
            }

            return scalar.Value;
        }

        private bool Add(string path, YamlNode? node, string message)
        {
            var variable = node is null ? null : origins.GetValueOrDefault(node);
            problems.Add(new ConfigurationProblem(path, variable is { Length: > 0 } ? null : Line(node), message)
            {
                EnvironmentVariable = variable is { Length: > 0 } ? variable : null,
            });
            return false;
        }

        private string Where(YamlNode node) => origins.GetValueOrDefault(node) is { Length: > 0 } variable
            ? $" (from {variable})"
            : Line(node) is { } line ? $" (line {line})" : "";

        private int? Line(YamlNode? node) => node switch
        {
            null => null,
            _ when lines.TryGetValue(node, out var line) => line,
            _ => (int)node.Start.Line,
        };
    }
}
