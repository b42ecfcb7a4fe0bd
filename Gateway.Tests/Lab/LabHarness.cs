using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CompositeGateway.Lab;
using CompositeGateway.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CompositeGateway.Tests.Lab;

/// <summary>An emulated cluster on 127.0.0.1:0 plus an HttpClient for it; disposed together.</summary>
internal sealed class LabHarness : IAsyncDisposable
{
    /// <summary>2024-05-01T10:11:12.5Z: a fake clock start with a fractional second, to see truncation.</summary>
    public static readonly DateTimeOffset Epoch = new(2024, 5, 1, 10, 11, 12, 500, TimeSpan.Zero);

    private LabHarness(EmulatedCluster cluster, FakeTimeProvider? clock)
    {
        Cluster = cluster;
        Clock = clock;
        Http = new HttpClient { BaseAddress = cluster.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public EmulatedCluster Cluster { get; }

    public LabCluster State => Cluster.State;

    public FakeTimeProvider? Clock { get; }

    public HttpClient Http { get; }

    public string Peer(int index) => Cluster.Peers[index].Id;

    /// <summary>Starts a cluster with a fixed random seed (stable peer IDs) and, unless told otherwise, a fake clock.</summary>
    public static async Task<LabHarness> StartAsync(EmulatedClusterOptions? options = null, bool fakeClock = true)
    {
        var clock = fakeClock ? new FakeTimeProvider(Epoch) : null;
        options ??= new EmulatedClusterOptions();
        options = options with { RandomSeed = options.RandomSeed ?? 42 };
        var cluster = await EmulatedCluster.StartAsync(options, (TimeProvider?)clock ?? TimeProvider.System);
        return new LabHarness(cluster, clock);
    }

    public async Task<(HttpResponseMessage Response, string Body)> SendAsync(HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        var response = await Http.SendAsync(request);
        return (response, await response.Content.ReadAsStringAsync());
    }

    public Task<(HttpResponseMessage Response, string Body)> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<(HttpResponseMessage Response, string Body)> PostAsync(string path, string? body = null) => SendAsync(HttpMethod.Post, path, body);

    public Task<(HttpResponseMessage Response, string Body)> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path);

    public async Task<JsonObject> GetObjectAsync(string path)
    {
        var (response, body) = await GetAsync(path);
        Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK), body);
        return JsonNode.Parse(body)!.AsObject();
    }

    /// <summary>Reads an NDJSON stream fully; returns the items and the X-Stream-Error trailer values.</summary>
    public async Task<(HttpResponseMessage Response, List<JsonObject> Items, string[] Trailer)> StreamAsync(string path, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var items = new List<JsonObject>();
        using (var reader = new StreamReader(await response.Content.ReadAsStreamAsync()))
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                if (line.Length > 0)
                {
                    items.Add(JsonNode.Parse(line)!.AsObject());
                }
            }
        }

        var trailer = response.TrailingHeaders.TryGetValues("X-Stream-Error", out var values) ? values.ToArray() : [];
        return (response, items, trailer);
    }

    public void Advance(TimeSpan by) => Clock!.Advance(by);

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));

    /// <summary>Property names of a JSON object, in document order.</summary>
    public static string[] Keys(JsonObject value) => [.. value.Select(p => p.Key)];

    /// <summary>A golden file next to the tests, with <c>{name}</c> placeholders filled in.</summary>
    public static JsonNode Golden(string name, IReadOnlyDictionary<string, string> values)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Gateway.Tests", "Lab", "Golden", name));
        foreach (var (key, value) in values)
        {
            text = text.Replace("{" + key + "}", value, StringComparison.Ordinal);
        }

        return JsonNode.Parse(text)!;
    }

    public static string Canonical(JsonNode node) => node.ToJsonString(new JsonSerializerOptions { WriteIndented = false });

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Cluster.DisposeAsync();
    }
}
