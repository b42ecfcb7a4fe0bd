using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using CompositeGateway.Ipld;

namespace CompositeGateway.Lab.Connector;

/// <summary>The Go peer's timeouts (<c>ipfshttp</c> section of service.json, docs/protocol/kubo-rpc-as-called-by-cluster.md §1.2).</summary>
internal sealed record GoIpfsConnectorOptions
{
    public TimeSpan IpfsRequestTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Not a deadline: the stall limit of the pin/add progress watchdog (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.3).</summary>
    public TimeSpan PinTimeout { get; init; } = TimeSpan.FromMinutes(2);

    public TimeSpan UnpinTimeout { get; init; } = TimeSpan.FromHours(3);

    public TimeSpan RepoGcTimeout { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Keep every path+query in <see cref="GoIpfsConnector.Sent"/> (tests); a long-running lab peer turns it off.</summary>
    public bool RecordSent { get; init; } = true;
}

/// <summary>
/// An error as the Go connector's <c>err.Error()</c> shows it; <see cref="Message"/> is set when the body decoded
/// into Go's <c>ipfsError</c> — the value its "not pinned" and "already unpinned" rules look at.
/// </summary>
internal sealed record GoError(string Text, int? StatusCode = null, string? Message = null)
{
    public override string ToString() => Text;
}

/// <summary>api.IPFSPinStatus as the Go peer derives it from a <c>pin/ls</c> answer.</summary>
internal enum IpfsPinStatus
{
    Bug,
    Error,
    Direct,
    Recursive,
    Indirect,
    Unpinned,
}

internal sealed record PinLsCidResult(IpfsPinStatus Status, GoError? Error);

/// <summary>One progress value of pin/add and when it was seen, counted from just before the request.</summary>
internal sealed record ProgressSample(TimeSpan At, long Progress);

/// <summary>Outcome of the whole docs/protocol/kubo-rpc-as-called-by-cluster.md §4.3 sequence: pinned or the error, whether pin/add was skipped, what it streamed.</summary>
internal sealed record PinOutcome(GoError? Error, bool SkippedPinAdd, IReadOnlyList<ProgressSample> Progress, bool WatchdogFired)
{
    public bool Pinned => Error is null;
}

internal sealed record GoIpfsId(string Id, IReadOnlyList<string> Addresses);

internal sealed record GoRepoStat(ulong RepoSize, ulong StorageMax);

internal sealed record GoRepoGcKey(string? Key, string Error);

internal sealed record GoResult<T>(T? Value, GoError? Error)
{
    public bool Ok => Error is null;
}

/// <summary>
/// Replays what an ipfs-cluster v1.1.6 peer's <c>ipfshttp</c> connector sends to its IPFS daemon, and concludes
/// from the answers what it would (docs/protocol/kubo-rpc-as-called-by-cluster.md §1–§5): POST with an empty
/// <c>Content-Type</c>, the exact query strings, success only on HTTP 200, errors from a JSON <c>Message</c>
/// (case-insensitive) else "IPFS request failed", streams decoded like Go's <c>json.Decoder</c>, the "not pinned"
/// suffix rule, the exact-text unpin rule and the pin/add progress watchdog.
/// </summary>
internal sealed class GoIpfsConnector : IDisposable
{
    private readonly HttpClient _client;
    private readonly string _apiUrl;
    private long _requests;

    public GoIpfsConnector(Uri daemon, GoIpfsConnectorOptions? options = null)
    {
        Options = options ?? new GoIpfsConnectorOptions();
        _apiUrl = daemon.GetLeftPart(UriPartial.Authority) + "/api/v0";
        var handler = new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.GZip, UseCookies = false };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public GoIpfsConnectorOptions Options { get; }

    /// <summary><c>http://host:port/api/v0</c>, for wire-level tests that send what no Go peer would.</summary>
    public string ApiUrl => _apiUrl;

    /// <summary>Every path+query sent, in order (to check what the peer would have sent).</summary>
    public List<string> Sent { get; } = [];

    /// <summary>Requests sent so far (also when <see cref="GoIpfsConnectorOptions.RecordSent"/> is off).</summary>
    public long RequestCount => Interlocked.Read(ref _requests);

    // ---- High-level operations, one per Go connector method ----

    /// <summary><c>ID</c>: id must be 200, decode, and carry a valid peer ID (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.1).</summary>
    public async Task<GoResult<GoIpfsId>> IdAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = Deadline(Options.IpfsRequestTimeout, cancellationToken);
        return await CatchAsync(async () =>
        {
            var body = await PostCtxAsync("id", timeout.Token);
            var value = Unmarshal(body, "ipfshttp.ipfsIDResp");
            var id = GoJson.String(value, "ID", "ipfsIDResp");
            var addresses = GoJson.Strings(value, "Addresses", "ipfsIDResp");
            if (GoPeerId.Check(id) is { } bad)
            {
                throw new GoFailure(new GoError(bad));
            }

            return new GoIpfsId(id, addresses);
        }, timeout.Token);
    }

    /// <summary><c>PinLsCid</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.2): type from the depth; only the first value counts.</summary>
    public async Task<PinLsCidResult> PinLsCidAsync(string cid, int maxDepth = -1, CancellationToken cancellationToken = default)
    {
        using var timeout = Deadline(Options.IpfsRequestTimeout, cancellationToken);
        var type = maxDepth == 0 ? "direct" : "recursive";
        try
        {
            using var response = await PostCtxStreamResponseAsync($"pin/ls?stream=true&arg={cid}&type={type}", timeout.Token);
            var decoder = new GoJsonDecoder(await response.Content.ReadAsStreamAsync(timeout.Token));
            var first = await decoder.DecodeAsync(timeout.Token) ?? throw new GoDecodeException("EOF");
            GoJson.RequireObject(first, "api.IPFSPinInfo");
            var cidText = GoJson.Field(first, "Cid") is { ValueKind: JsonValueKind.String } c ? c.GetString()! : null;
            if (cidText is not null && !Cid.TryParse(cidText, out _, out var cidError))
            {
                throw new GoDecodeException(cidError);
            }

            return new PinLsCidResult(Classify(GoJson.String(first, "Type", "IPFSPinInfo")), null);
        }
        catch (GoFailure failure) when (failure.Error.Message?.EndsWith("not pinned", StringComparison.Ordinal) == true)
        {
            return new PinLsCidResult(IpfsPinStatus.Unpinned, null);
        }
        catch (Exception e) when (Describe(e, timeout.Token) is { } error)
        {
            return new PinLsCidResult(IpfsPinStatus.Error, error);
        }
    }

    /// <summary>
    /// <c>Pin</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.3): <c>pin/ls?arg=</c> first (pinned as expected → success without pin/add), then
    /// <c>pin/add?arg=…&amp;recursive=…&amp;progress=true</c> under the progress watchdog; a clean end is pinned.
    /// </summary>
    public async Task<PinOutcome> PinAsync(string cid, int maxDepth = -1, CancellationToken cancellationToken = default)
    {
        var status = await PinLsCidAsync(cid, maxDepth, cancellationToken);
        if (status.Error is not null)
        {
            return new PinOutcome(status.Error, false, [], false);
        }

        var expected = maxDepth == 0 ? IpfsPinStatus.Direct : IpfsPinStatus.Recursive;
        if (status.Status == expected)
        {
            return new PinOutcome(null, true, [], false);
        }

        var depthArgs = maxDepth < 0 ? "recursive=true" : maxDepth == 0 ? "recursive=false" : $"max-depth={maxDepth}&recursive=true";
        using var request = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var samples = new List<ProgressSample>();
        var clock = Stopwatch.StartNew();
        var lastIncrease = TimeSpan.Zero;
        long lastProgress = 0;
        var fired = false;
        var gate = new Lock();

        // The watchdog: a ticker every pin_timeout cancels the request when Progress has not strictly risen for
        // more than pin_timeout (values are handed over without blocking; here, all of them are seen).
        using var watchdogStop = new CancellationTokenSource();
        var watchdog = Task.Run(async () =>
        {
            using var ticker = new PeriodicTimer(Options.PinTimeout);
            try
            {
                while (await ticker.WaitForNextTickAsync(watchdogStop.Token))
                {
                    lock (gate)
                    {
                        if (clock.Elapsed - lastIncrease > Options.PinTimeout)
                        {
                            fired = true;
                            request.Cancel();
                            return;
                        }
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // pin/add returned: the watchdog stops with it.
            }
        }, CancellationToken.None);

        GoError? error = null;
        try
        {
            using var response = await PostCtxStreamResponseAsync($"pin/add?arg={cid}&{depthArgs}&progress=true", request.Token);
            var decoder = new GoJsonDecoder(await response.Content.ReadAsStreamAsync(request.Token));
            while (await decoder.DecodeAsync(request.Token) is { } value)
            {
                GoJson.RequireObject(value, "ipfshttp.ipfsPinsResp");
                GoJson.Strings(value, "Pins", "ipfsPinsResp");
                var progress = GoJson.Int(value, "Progress", "ipfsPinsResp");
                lock (gate)
                {
                    samples.Add(new ProgressSample(clock.Elapsed, progress));
                    if (progress > lastProgress)
                    {
                        lastProgress = progress;
                        lastIncrease = clock.Elapsed;
                    }
                }
            }

            // A clean EOF after our own cancellation is still the cancellation (pinProgress checks ctx first).
            request.Token.ThrowIfCancellationRequested();
        }
        catch (Exception e) when (Describe(e, request.Token) is { } described)
        {
            error = described;
        }
        finally
        {
            await watchdogStop.CancelAsync();
            await watchdog;
        }

        return new PinOutcome(error, false, samples, fired);
    }

    /// <summary><c>Unpin</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.6): 200, or exactly <c>not pinned or pinned indirectly</c>, is unpinned.</summary>
    public async Task<GoError?> UnpinAsync(string cid, CancellationToken cancellationToken = default)
    {
        using var timeout = Deadline(Options.UnpinTimeout, cancellationToken);
        var result = await CatchAsync(async () => await PostCtxAsync($"pin/rm?arg={cid}", timeout.Token), timeout.Token);
        return result.Error is { Message: "not pinned or pinned indirectly" } ? null : result.Error;
    }

    /// <summary><c>pin/update?arg=&lt;from&gt;&amp;arg=&lt;to&gt;&amp;unpin=false</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.5): 200 is success.</summary>
    public async Task<GoError?> PinUpdateAsync(string from, string to, CancellationToken cancellationToken = default) =>
        (await CatchAsync(async () => await PostCtxAsync($"pin/update?arg={from}&arg={to}&unpin=false", cancellationToken), cancellationToken)).Error;

    /// <summary>
    /// <c>PinLs</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.7): in v1.1.6 only the first filter (<c>recursive</c>) is ever requested. Every value must
    /// decode with a valid CID; the map is keyed by CID bytes (canonical text here).
    /// </summary>
    public async Task<GoResult<IReadOnlyDictionary<string, IpfsPinStatus>>> PinLsAsync(string typeFilter = "recursive", CancellationToken cancellationToken = default)
    {
        using var timeout = Deadline(Options.IpfsRequestTimeout, cancellationToken);
        return await CatchAsync<IReadOnlyDictionary<string, IpfsPinStatus>>(async () =>
        {
            using var response = await PostCtxStreamResponseAsync("pin/ls?stream=true&type=" + typeFilter, timeout.Token);
            var decoder = new GoJsonDecoder(await response.Content.ReadAsStreamAsync(timeout.Token));
            var pins = new Dictionary<string, IpfsPinStatus>(StringComparer.Ordinal);
            while (await decoder.DecodeAsync(timeout.Token) is { } value)
            {
                GoJson.RequireObject(value, "api.IPFSPinInfo");
                var text = GoJson.String(value, "Cid", "IPFSPinInfo");
                if (!Cid.TryParse(text, out var cid, out var cidError))
                {
                    throw new GoDecodeException("error decoding ipfs pin: " + cidError);
                }

                pins[cid.ToString()] = Classify(GoJson.String(value, "Type", "IPFSPinInfo"));
            }

            return pins;
        }, timeout.Token);
    }

    /// <summary><c>RepoStat</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.8): <c>RepoSize</c>/<c>StorageMax</c> as Go uint64s.</summary>
    public async Task<GoResult<GoRepoStat>> RepoStatAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = Deadline(Options.IpfsRequestTimeout, cancellationToken);
        return await CatchAsync(async () =>
        {
            var value = Unmarshal(await PostCtxAsync("repo/stat?size-only=true", timeout.Token), "api.IPFSRepoStat");
            return new GoRepoStat(GoJson.Uint64(value, "RepoSize", "IPFSRepoStat"), GoJson.Uint64(value, "StorageMax", "IPFSRepoStat"));
        }, timeout.Token);
    }

    /// <summary><c>RepoGC</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.9): <c>Key</c> must be go-cid JSON (<c>{"/":…}</c> or null).</summary>
    public async Task<GoResult<IReadOnlyList<GoRepoGcKey>>> RepoGcAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = Deadline(Options.RepoGcTimeout, cancellationToken);
        return await CatchAsync<IReadOnlyList<GoRepoGcKey>>(async () =>
        {
            using var response = await PostCtxStreamResponseAsync("repo/gc?stream-errors=true", timeout.Token);
            var decoder = new GoJsonDecoder(await response.Content.ReadAsStreamAsync(timeout.Token));
            var keys = new List<GoRepoGcKey>();
            while (await decoder.DecodeAsync(timeout.Token) is { } value)
            {
                GoJson.RequireObject(value, "ipfshttp.ipfsRepoGCResp");
                keys.Add(new GoRepoGcKey(GoCidJson(GoJson.Field(value, "Key")), GoJson.String(value, "Error", "ipfsRepoGCResp")));
            }

            return keys;
        }, timeout.Token);
    }

    /// <summary><c>SwarmPeers</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.11): every <c>Peer</c> must be a valid peer ID.</summary>
    public async Task<GoResult<IReadOnlyList<string>>> SwarmPeersAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = Deadline(Options.IpfsRequestTimeout, cancellationToken);
        return await CatchAsync<IReadOnlyList<string>>(async () =>
        {
            var value = Unmarshal(await PostCtxAsync("swarm/peers", timeout.Token), "ipfshttp.ipfsSwarmPeersResp");
            var peers = new List<string>();
            if (GoJson.Field(value, "Peers") is { ValueKind: JsonValueKind.Array } array)
            {
                foreach (var item in array.EnumerateArray())
                {
                    GoJson.RequireObject(item, "ipfshttp.ipfsPeer");
                    var peer = GoJson.String(item, "Peer", "ipfsPeer");
                    if (GoPeerId.Check(peer) is { } bad)
                    {
                        throw new GoFailure(new GoError(bad));
                    }

                    peers.Add(peer);
                }
            }
            else if (GoJson.Field(value, "Peers") is { ValueKind: not JsonValueKind.Null } other)
            {
                throw GoJson.TypeError(other, "ipfsSwarmPeersResp", "Peers", "[]ipfshttp.ipfsPeer");
            }

            return peers;
        }, timeout.Token);
    }

    /// <summary><c>swarm/connect?arg=&lt;query-escaped multiaddr&gt;</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.4); the peer only logs the outcome.</summary>
    public async Task<GoError?> SwarmConnectAsync(string multiaddress, CancellationToken cancellationToken = default) =>
        (await CatchAsync(async () => await PostCtxAsync("swarm/connect?arg=" + QueryEscape(multiaddress), cancellationToken), cancellationToken)).Error;

    // ---- Transport, as doPostCtx / checkResponse / postCtx ----

    /// <summary>
    /// <c>BlockStream</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.12): every block in ONE <c>block/put</c> request, a chunked multipart body produced while
    /// the blocks are enumerated (one part per block, <c>filename</c> = its CID), the query from the first block's
    /// prefix. Success = HTTP 200 and a clean end of the <c>{"Key","Size"}</c> stream, each Key a CID; returns the
    /// answered keys. A block whose key never comes back is only a warning for the Go peer, so it is not an error here.
    /// </summary>
    public async Task<GoResult<IReadOnlyList<string>>> BlockStreamAsync(IAsyncEnumerable<(Cid Cid, ReadOnlyMemory<byte> Data)> blocks, Cid first, CancellationToken cancellationToken = default)
    {
        var query = "block/put?allow-big-block=true&cid-codec=" + Multicodec.NameOf(first.Codec) + "&mhlen=" + (first.Multihash.Digest.Length)
            + "&mhtype=" + Multicodec.NameOf(first.Multihash.Code) + "&pin=false";
        return await CatchAsync<IReadOnlyList<string>>(async () =>
        {
            Record(query);

            using var request = new HttpRequestMessage(HttpMethod.Post, _apiUrl + "/" + query)
            {
                Version = HttpVersion.Version11,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = new GoBlockMultipart(blocks),
            };
            request.Headers.TryAddWithoutValidation("User-Agent", "Go-http-client/1.1");
            var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            using (response)
            {
                byte[] body;
                try
                {
                    body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                }
                catch (HttpRequestException)
                {
                    // An aborted chunked answer: Go's decoder sees a truncated stream.
                    throw new GoDecodeException("unexpected EOF");
                }

                if (response.StatusCode != HttpStatusCode.OK)
                {
                    var code = (int)response.StatusCode;
                    throw TryDecodeIpfsError(body, out var message)
                        ? new GoFailure(new GoError($"IPFS error ({query}). Code: {code}. Message: {message}", code, message))
                        : new GoFailure(new GoError($"IPFS request failed (is it running?) ({query}). Code {code}: {Encoding.UTF8.GetString(body)}", code));
                }

                var keys = new List<string>();
                var reader = new Utf8JsonReader(body, new JsonReaderOptions { AllowMultipleValues = true });
                while (true)
                {
                    JsonElement item;
                    try
                    {
                        if (!reader.Read())
                        {
                            break;
                        }

                        using var document = JsonDocument.ParseValue(ref reader);
                        item = document.RootElement.Clone();
                    }
                    catch (JsonException e)
                    {
                        throw new GoDecodeException(e.Message);
                    }

                    GoJson.RequireObject(item, "ipfsBlockPutResp");
                    var key = GoJson.String(item, "Key", "ipfsBlockPutResp");
                    keys.Add(Cid.TryParse(key, out var cid, out var error) ? cid.ToString() : throw new GoDecodeException(error));
                }

                return keys;
            }
        }, cancellationToken);
    }

    /// <summary>Sends one request exactly like <c>doPostCtx</c> and returns the raw response (for wire-level tests).</summary>
    public async Task<HttpResponseMessage> SendAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        Record(pathAndQuery);

        using var request = new HttpRequestMessage(HttpMethod.Post, _apiUrl + "/" + pathAndQuery)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([]),
        };

        // req.Header.Set("Content-Type", "") in Go: the header is present with an empty value.
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "");
        request.Headers.TryAddWithoutValidation("User-Agent", "Go-http-client/1.1");
        return await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    public void Dispose() => _client.Dispose();

    private void Record(string pathAndQuery)
    {
        Interlocked.Increment(ref _requests);
        if (Options.RecordSent)
        {
            lock (Sent)
            {
                Sent.Add(pathAndQuery);
            }
        }
    }

    private async Task<HttpResponseMessage> PostCtxStreamResponseAsync(string path, CancellationToken cancellationToken)
    {
        var response = await SendAsync(path, cancellationToken);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return response;
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var code = (int)response.StatusCode;
            if (TryDecodeIpfsError(body, out var message))
            {
                throw new GoFailure(new GoError($"IPFS error ({path}). Code: {code}. Message: {message}", code, message));
            }

            throw new GoFailure(new GoError($"IPFS request failed (is it running?) ({path}). Code {code}: {Encoding.UTF8.GetString(body)}", code));
        }
    }

    private async Task<byte[]> PostCtxAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await PostCtxStreamResponseAsync(path, cancellationToken);
        try
        {
            return await response.Content.ReadAsByteArrayAsync(cancellationToken);
        }
        catch (HttpRequestException)
        {
            throw new GoDecodeException("unexpected EOF");
        }
    }

    // json.Unmarshal(body, &ipfsErr): a JSON object (or null) whose "Message" is a string or absent.
    private static bool TryDecodeIpfsError(byte[] body, out string message)
    {
        message = "";
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            GoJson.RequireObject(root, "ipfshttp.ipfsError");
            message = GoJson.String(root, "Message", "ipfsError");
            return true;
        }
        catch (Exception e) when (e is JsonException or GoDecodeException)
        {
            return false;
        }
    }

    // json.Unmarshal of a whole body into a struct: exactly one JSON value.
    private static JsonElement Unmarshal(byte[] body, string goType)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new GoDecodeException(body.Length == 0 ? "unexpected end of JSON input" : "invalid character: " + e.Message);
        }

        GoJson.RequireObject(root, goType);
        return root;
    }

    // go-cid Cid.UnmarshalJSON: {"/":"<cid>"} or null; anything else fails.
    private static string? GoCidJson(JsonElement? key)
    {
        if (key is null || key.Value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (key.Value.ValueKind != JsonValueKind.Object)
        {
            throw GoJson.TypeError(key.Value, "ipfsRepoGCResp", "Key", "struct { CidTarget string \"json:\\\"/\\\"\" }");
        }

        var target = GoJson.Field(key.Value, "/");
        if (target is not { ValueKind: JsonValueKind.String } || target.Value.GetString() is not { Length: > 0 } text)
        {
            throw new GoDecodeException("cid was incorrectly formatted");
        }

        return Cid.TryParse(text, out var cid, out var error) ? cid.ToString() : throw new GoDecodeException(error);
    }

    // api.IPFSPinStatusFromString.
    private static IpfsPinStatus Classify(string type) =>
        type.StartsWith("recursive", StringComparison.Ordinal) ? IpfsPinStatus.Recursive
        : type.StartsWith("indirect", StringComparison.Ordinal) ? IpfsPinStatus.Indirect
        : type == "direct" ? IpfsPinStatus.Direct
        : IpfsPinStatus.Bug;

    private static string QueryEscape(string value) => Uri.EscapeDataString(value).Replace("%20", "+", StringComparison.Ordinal);

    private static CancellationTokenSource Deadline(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(timeout);
        return source;
    }

    private static async Task<GoResult<T>> CatchAsync<T>(Func<Task<T>> call, CancellationToken token)
    {
        try
        {
            return new GoResult<T>(await call(), null);
        }
        catch (Exception e) when (Describe(e, token) is { } error)
        {
            return new GoResult<T>(default, error);
        }
    }

    // What the Go connector would return as its error for an exception of ours.
    private static GoError? Describe(Exception e, CancellationToken token) => e switch
    {
        GoFailure failure => failure.Error,
        GoDecodeException decode => new GoError(decode.Message),
        OperationCanceledException when token.IsCancellationRequested => new GoError("context canceled"),
        HttpRequestException http => new GoError("Post: " + http.Message),
        _ => null,
    };

    private sealed class GoFailure(GoError error) : Exception(error.Text)
    {
        public GoError Error { get; } = error;
    }
}

/// <summary>The Go peer's <c>block/put</c> body (go-ipfs-files MultiFileReader): written while the blocks are enumerated, never whole.</summary>
internal sealed class GoBlockMultipart : HttpContent
{
    private readonly IAsyncEnumerable<(Cid Cid, ReadOnlyMemory<byte> Data)> _blocks;
    private readonly string _boundary = Guid.NewGuid().ToString("N");

    public GoBlockMultipart(IAsyncEnumerable<(Cid Cid, ReadOnlyMemory<byte> Data)> blocks)
    {
        _blocks = blocks;
        Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=" + _boundary);
    }

    protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
    {
        await foreach (var (cid, data) in _blocks.WithCancellation(cancellationToken))
        {
            var head = $"--{_boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{cid}\"\r\nContent-Type: application/octet-stream\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head), cancellationToken);
            await stream.WriteAsync(data, cancellationToken);
            await stream.WriteAsync("\r\n"u8.ToArray(), cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes($"--{_boundary}--\r\n"), cancellationToken);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
