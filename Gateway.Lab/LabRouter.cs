
namespace CompositeGateway.Lab;

/// <summary>Path variables of a matched route (<c>hash</c>, <c>keyType</c>, <c>path</c>, <c>name</c>, <c>peer</c>).</summary>
internal sealed class RouteValues : Dictionary<string, string>
{
    public RouteValues()
        : base(StringComparer.Ordinal)
    {
    }
}

/// <summary>
/// A gorilla/mux-like table, tried in order (order matters: <c>POST /pins/recover</c> before
/// <c>POST /pins/{hash}</c>, as in ipfs-cluster's <c>restapi.go</c>). Path templates use
/// <c>{name}</c> for one segment, <c>{name:a|b}</c> for a choice, <c>{name:.*}</c> for the rest.
/// A path that matches with another method gives 405; no match gives 404.
/// </summary>
internal sealed class LabRouter
{
    private readonly List<(string Method, string[] Segments, Func<HttpContext, RouteValues, Task> Handler)> _routes = [];

    public LabRouter Add(string method, string template, Func<HttpContext, RouteValues, Task> handler)
    {
        _routes.Add((method, template.Trim('/').Split('/'), handler));
        return this;
    }

    public (Func<HttpContext, RouteValues, Task>? Handler, RouteValues Values, bool MethodMismatch) Match(string method, string path)
    {
        var segments = path.TrimStart('/').Split('/');
        var pathMatched = false;
        foreach (var (routeMethod, template, handler) in _routes)
        {
            var values = new RouteValues();
            if (!TryMatch(template, segments, values))
            {
                continue;
            }

            if (routeMethod == method)
            {
                return (handler, values, false);
            }

            pathMatched = true;
        }

        return (null, [], pathMatched);
    }

    private static bool TryMatch(string[] template, string[] segments, RouteValues values)
    {
        for (var i = 0; i < template.Length; i++)
        {
            var part = template[i];
            if (part.StartsWith('{') && part.EndsWith('}'))
            {
                var inner = part[1..^1];
                var colon = inner.IndexOf(':', StringComparison.Ordinal);
                var name = colon < 0 ? inner : inner[..colon];
                var pattern = colon < 0 ? null : inner[(colon + 1)..];
                if (pattern == ".*")
                {
                    if (segments.Length < i)
                    {
                        return false;
                    }

                    values[name] = segments.Length == i ? "" : string.Join('/', segments[i..]);
                    return segments.Length > i;
                }

                if (i >= segments.Length || segments[i].Length == 0)
                {
                    return false;
                }

                if (pattern is not null && !pattern.Split('|').Contains(segments[i], StringComparer.Ordinal))
                {
                    return false;
                }

                values[name] = segments[i];
                continue;
            }

            if (i >= segments.Length || segments[i] != part)
            {
                return false;
            }
        }

        return segments.Length == template.Length;
    }
}
