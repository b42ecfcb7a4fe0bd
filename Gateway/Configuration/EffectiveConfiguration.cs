using System.Globalization;
using System.Text.Encodings.Web;
using CompositeGateway.Go;
using System.Text.Json;

namespace CompositeGateway.Configuration;

/// <summary>
/// Prints validated options back as YAML (what <c>check-config</c> shows): every default filled in, paths
/// absolute, environment overrides applied, and secrets replaced by where they come from.
/// </summary>
internal static class EffectiveConfiguration
{
    /// <param name="options">Validated options.</param>
    /// <param name="output">Where to write.</param>
    /// <param name="identityNote">Said after identity_file, e.g. its peer ID.</param>
    public static void Write(GatewayOptions options, TextWriter output, string? identityNote = null)
    {
        output.WriteLine($"# Effective configuration{(options.ConfigFile is { } file ? $" of {file}" : "")}, with {EnvironmentOverrides.Prefix}* overrides applied.");
        output.WriteLine($"listen: {Quote(options.Listen)}");
        output.WriteLine($"admin_listen: {Quote(options.AdminListen)}");
        output.WriteLine($"identity_file: {Quote(options.IdentityFile)}{(identityNote is null ? "" : "  # " + identityNote)}");
        output.WriteLine("underclusters:");
        foreach (var undercluster in options.Underclusters)
        {
            output.WriteLine($"  - name: {Quote(undercluster.Name)}");
            output.WriteLine($"    url: {Quote(undercluster.Url.AbsoluteUri)}");
            output.WriteLine($"    timeout: {GoDuration.Format(undercluster.Timeout)}");
            if (undercluster.IpfsApi is { } ipfsApi)
            {
                output.WriteLine($"    ipfs_api: {Quote(ipfsApi.AbsoluteUri)}");
            }

            if (undercluster.Auth is { } auth)
            {
                output.WriteLine("    auth:");
                output.WriteLine($"      username: {Quote(auth.Username)}");
                output.WriteLine($"      password: <from {auth.PasswordSource}>");
            }
        }

        output.WriteLine("health:");
        output.WriteLine($"  probe_interval: {GoDuration.Format(options.Health.ProbeInterval)}");
        output.WriteLine($"  ready_within: {GoDuration.Format(options.Health.ReadyWithin)}");
        var pinPath = options.PinPath;
        output.WriteLine("pin_path:");
        output.WriteLine($"  pin_wait: {pinPath.PinWait.ToYaml()}");
        output.WriteLine($"  pinned_when: {Quote(pinPath.PinnedWhen.ToString())}");
        output.WriteLine($"  wait_limit: {GoDuration.Format(pinPath.WaitLimit)}");
        output.WriteLine($"  poll_interval: {GoDuration.Format(pinPath.PollInterval)}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  poll_batch_size: {pinPath.PollBatchSize}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  poll_batch_chars: {pinPath.PollBatchChars}"));
        output.WriteLine($"  unreachable_after: {GoDuration.Format(pinPath.UnreachableAfter)}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  replication_min: {pinPath.ReplicationMin}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  replication_max: {pinPath.ReplicationMax}"));
        output.WriteLine($"  metadata_prefix: {Quote(pinPath.MetadataPrefix)}");
        output.WriteLine($"  unpin_recheck_delay: {GoDuration.Format(pinPath.UnpinRecheckDelay)}");
        output.WriteLine($"  addresses_cache: {GoDuration.Format(pinPath.AddressesCache)}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  max_addresses: {pinPath.MaxAddresses}"));
        output.WriteLine("kubo_rpc:");
        output.WriteLine($"  progress_interval: {GoDuration.Format(options.KuboRpc.ProgressInterval)}");
        output.WriteLine("  forward:");
        output.WriteLine($"    commands: {List(options.KuboRpc.Forward.Commands)}");
        if (options.KuboRpc.HttpHeaders.Count == 0)
        {
            output.WriteLine("  http_headers: {}");
        }
        else
        {
            output.WriteLine("  http_headers:");
            foreach (var (name, values) in options.KuboRpc.HttpHeaders)
            {
                output.WriteLine($"    {Quote(name)}: {List(values)}");
            }
        }

        output.WriteLine($"  extract_headers_extra: {List(options.KuboRpc.ExtractHeadersExtra)}");
        output.WriteLine($"  extract_headers_ttl: {GoDuration.Format(options.KuboRpc.ExtractHeadersTtl)}");
        output.WriteLine($"shutdown_timeout: {GoDuration.Format(options.ShutdownTimeout)}");
    }

    /// <summary>A YAML flow list of double-quoted scalars.</summary>
    private static string List(IEnumerable<string> values) => $"[{string.Join(", ", values.Select(Quote))}]";

    /// <summary>A YAML double-quoted scalar (JSON string escaping is valid YAML).</summary>
    private static string Quote(string value) => $"\"{JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping)}\"";
}
