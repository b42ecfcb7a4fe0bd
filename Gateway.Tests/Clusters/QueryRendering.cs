using CompositeGateway.Clusters;

namespace CompositeGateway.Tests.Clusters;

/// <summary>
/// The query as it goes on the wire (Refit escapes each name and value with <see cref="Uri.EscapeDataString(string)"/> and keeps
/// the order given): lets the tests state the expected query string in one line.
/// </summary>
internal static class QueryRendering
{
    public static string ToQueryString(this PinRequest request) => Render(request.ToQuery());

    public static string ToQueryString(this AddRequest request) => Render(request.ToQuery());

    private static string Render(Dictionary<string, string> query) =>
        string.Join('&', query.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
}
