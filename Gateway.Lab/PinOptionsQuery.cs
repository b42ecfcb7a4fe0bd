using System.Globalization;
using CompositeGateway.Go;

namespace CompositeGateway.Lab;

/// <summary>The pin options of a request, as <c>PinOptions.FromQuery</c> (ipfs-cluster <c>api/types.go</c>) reads them (docs/protocol/cluster-rest.md §4).</summary>
internal sealed record LabPinRequest
{
    public string Name { get; init; } = "";

    /// <summary><c>recursive</c> or <c>direct</c> (unknown strings count as recursive, docs/protocol/cluster-rest.md §3.3).</summary>
    public string Mode { get; init; } = "recursive";

    /// <summary>0 = the cluster default.</summary>
    public int ReplicationMin { get; init; }

    public int ReplicationMax { get; init; }

    public ulong ShardSize { get; init; }

    public IReadOnlyList<string>? UserAllocations { get; init; }

    /// <summary>null = never.</summary>
    public DateTimeOffset? ExpireAt { get; init; }

    /// <summary>Always rebuilt from the query, so never null once parsing got that far; sorted by key.</summary>
    public KeyValuePair<string, string>[]? Metadata { get; init; }

    public string? PinUpdate { get; init; }

    public IReadOnlyList<string>? Origins { get; init; }
}

/// <summary>
/// Parses docs/protocol/cluster-rest.md §4's query parameters in Go's order and stops at the first error, returning what was
/// parsed so far: the real server still pins with those partial options after answering 400 (§1.2).
/// </summary>
internal static class PinOptionsQuery
{
    public static (LabPinRequest Request, string? Error) Parse(IQueryCollection query, DateTimeOffset now)
    {
        var request = new LabPinRequest { Name = Get(query, "name"), Mode = Get(query, "mode") == "direct" ? "direct" : "recursive" };

        var replication = Get(query, "replication");
        var minText = replication != "" ? replication : Get(query, "replication-min");
        var maxText = replication != "" ? replication : Get(query, "replication-max");
        if (minText != "")
        {
            if (!int.TryParse(minText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var min))
            {
                return (request, "parameter replication-min invalid");
            }

            request = request with { ReplicationMin = min };
        }

        if (maxText != "")
        {
            if (!int.TryParse(maxText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var max))
            {
                return (request, "parameter replication-max invalid");
            }

            request = request with { ReplicationMax = max };
        }

        if (Get(query, "shard-size") is { Length: > 0 } shardText)
        {
            if (!ulong.TryParse(shardText, NumberStyles.None, CultureInfo.InvariantCulture, out var shardSize))
            {
                return (request, "parameter shard_size is invalid");
            }

            request = request with { ShardSize = shardSize };
        }

        if (Get(query, "user-allocations") is { Length: > 0 } allocations)
        {
            // Undecodable peer IDs are dropped without a word (StringsToPeers).
            request = request with { UserAllocations = [.. allocations.Split(',').Where(LabPeerIds.IsValid)] };
        }

        if (Get(query, "expire-at") is { Length: > 0 } expireAt)
        {
            if (!TryParseRfc3339(expireAt, out var at))
            {
                return (request, $"expire-at cannot be parsed: parsing time \"{expireAt}\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"{expireAt}\" as \"2006\"");
            }

            request = request with { ExpireAt = at };
        }
        else if (Get(query, "expire-in") is { Length: > 0 } expireIn)
        {
            if (!GoDuration.TryParse(expireIn, out var duration, out var error))
            {
                return (request, "expire-in cannot be parsed: " + error);
            }

            if (duration < TimeSpan.FromSeconds(1))
            {
                return (request, "expire-in duration too short");
            }

            request = request with { ExpireAt = now + duration };
        }

        var metadata = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, values) in query)
        {
            if (key.StartsWith("meta-", StringComparison.Ordinal) && key.Length > "meta-".Length)
            {
                metadata[key["meta-".Length..]] = values.Count > 0 ? values[0] ?? "" : "";
            }
        }

        request = request with { Metadata = [.. metadata] };

        if (Get(query, "pin-update") is { Length: > 0 } update)
        {
            if (!LabCids.TryParse(update, out var updateCid, out var error))
            {
                return (request, "error decoding update option parameter: " + error);
            }

            request = request with { PinUpdate = updateCid };
        }

        if (Get(query, "origins") is { Length: > 0 } originsText)
        {
            var origins = originsText.Split(',');
            foreach (var origin in origins)
            {
                if (LabMultiaddr.Check(origin) is { } error)
                {
                    return (request, error);
                }
            }

            request = request with { Origins = origins };
        }

        return (request, null);
    }

    /// <summary>Go's <c>url.Values.Get</c>: the first value, or empty.</summary>
    public static string Get(IQueryCollection query, string key) =>
        query.TryGetValue(key, out var values) && values.Count > 0 ? values[0] ?? "" : "";

    private static bool TryParseRfc3339(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(
            text,
            ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"],
            CultureInfo.InvariantCulture,
            DateTimeStyles.None,
            out value);
}

/// <summary>Just enough multiaddr parsing for <c>origins</c>: known protocols with their argument counts, and a <c>/p2p/</c> part.</summary>
internal static class LabMultiaddr
{
    private static readonly Dictionary<string, int> Arguments = new(StringComparer.Ordinal)
    {
        ["ip4"] = 1,
        ["ip6"] = 1,
        ["tcp"] = 1,
        ["udp"] = 1,
        ["dns"] = 1,
        ["dns4"] = 1,
        ["dns6"] = 1,
        ["dnsaddr"] = 1,
        ["p2p"] = 1,
        ["ipfs"] = 1,
        ["quic"] = 0,
        ["quic-v1"] = 0,
        ["ws"] = 0,
        ["wss"] = 0,
        ["tls"] = 0,
        ["http"] = 0,
        ["https"] = 0,
        ["webtransport"] = 0,
        ["webrtc-direct"] = 0,
        ["p2p-circuit"] = 0,
        ["sni"] = 1,
        ["certhash"] = 1,
    };

    /// <summary>null when <paramref name="text"/> is a multiaddr with a peer ID; otherwise ipfs-cluster's error text.</summary>
    public static string? Check(string text)
    {
        var parts = text.Split('/');
        if (parts.Length < 2 || parts[0] != "")
        {
            return $"error decoding multiaddress: failed to parse multiaddr \"{text}\": must begin with /";
        }

        var hasPeer = false;
        for (var i = 1; i < parts.Length; i++)
        {
            if (!Arguments.TryGetValue(parts[i], out var count))
            {
                return $"error decoding multiaddress: failed to parse multiaddr \"{text}\": unknown protocol {parts[i]}";
            }

            if (i + count >= parts.Length + (count == 0 ? 1 : 0) || (count == 1 && parts[i + 1] == ""))
            {
                return $"error decoding multiaddress: failed to parse multiaddr \"{text}\": unexpected end of multiaddr";
            }

            if (parts[i] is "p2p" or "ipfs")
            {
                if (!LabPeerIds.IsValid(parts[i + 1]))
                {
                    return $"error decoding multiaddress: failed to parse multiaddr \"{text}\": invalid value \"{parts[i + 1]}\" for protocol p2p";
                }

                hasPeer = true;
            }

            i += count;
        }

        return hasPeer ? null : "multiaddress does not contain peer ID: protocol not found in multiaddr";
    }
}
