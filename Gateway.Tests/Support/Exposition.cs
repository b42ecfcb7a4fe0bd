using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Prometheus;

namespace CompositeGateway.Tests.Support;

/// <summary>Reads a Prometheus text exposition: rendered from a registry, or one sample out of a scraped page.</summary>
internal static class Exposition
{
    public static async Task<string> RenderAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream, CancellationToken.None);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The value of the one sample of <paramref name="name"/> whose labels include all of <paramref name="labels"/> (in any order), or NaN.</summary>
    public static double Sample(string exposition, string name, params string[] labels)
    {
        foreach (Match match in Regex.Matches(exposition, $@"^{Regex.Escape(name)}(?:\{{([^}}]*)\}})? (\S+)$", RegexOptions.Multiline))
        {
            var present = match.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries);
            if (labels.All(present.Contains))
            {
                return double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
            }
        }

        return double.NaN;
    }
}
