using System.Text.RegularExpressions;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Deploy;

/// <summary>
/// The metric families an operator may rely on: the table of docs/observability.md, plus the families the
/// metrics work adds (pin-wait outcomes and durations, per-undercluster waits, free space, circuit state, Kubo
/// errors by kind) until that table lists them. Alert rules and dashboard queries may name only these.
/// </summary>
internal static partial class MetricFamilies
{
    private static readonly string[] Announced =
    [
        "gateway_pin_waits_total",
        "gateway_pin_wait_duration_seconds",
        "gateway_undercluster_free_space_bytes",
        "gateway_undercluster_circuit_open",
        "gateway_kubo_errors_total",
    ];

    public static IReadOnlySet<string> Documented { get; } = Load();

    /// <summary>Families named in a PromQL expression (histogram series map to their family), label names and functions left out.</summary>
    public static IEnumerable<string> NamedIn(string promql)
    {
        // Label matchers, strings and by/without lists hold no metric names.
        var bare = Strings().Replace(promql, "\"\"");
        bare = Braces().Replace(bare, "{}");
        bare = Grouping().Replace(bare, "");
        foreach (Match match in Identifier().Matches(bare))
        {
            var name = match.Value;
            if (name is "up")
            {
                yield return name;
            }
            else if (name.Contains('_', StringComparison.Ordinal) && !PromqlWords.Contains(name))
            {
                yield return Suffix().Replace(name, "");
            }
        }
    }

    private static readonly HashSet<string> PromqlWords = new(StringComparer.Ordinal)
    {
        "histogram_quantile", "max_over_time", "min_over_time", "avg_over_time", "sum_over_time", "count_over_time",
        "label_values", "label_replace", "group_left", "group_right", "__rate_interval", "__interval", "__range",
    };

    private static HashSet<string> Load()
    {
        var names = new HashSet<string>(Announced, StringComparer.Ordinal) { "up" };
        foreach (var line in File.ReadLines(Path.Combine(RepositoryPaths.Root, "docs", "observability.md")))
        {
            // "| `gateway_kubo_requests_total` | counter | ..." and "| `process_open_fds`, `process_max_fds` | gauge | ..."
            if (line.StartsWith("| `", StringComparison.Ordinal))
            {
                foreach (Match match in TableName().Matches(line.Split('|')[1]))
                {
                    names.Add(match.Groups[1].Value);
                }
            }
        }

        return names;
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Braces();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"(?<![\w$])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();

    [GeneratedRegex("_(bucket|sum|count)$")]
    private static partial Regex Suffix();

    [GeneratedRegex("`([a-z_:][a-z0-9_:]*)`")]
    private static partial Regex TableName();
}
