using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Docs;

/// <summary>
/// Every reference in code comments and Markdown resolves inside this repository: a citation such as
/// <c>docs/protocol/cluster-rest.md §5.7</c> names a file that exists and a heading numbered 5.7 in it, a bare
/// <c>§</c> is only allowed after such a path in the same comment, and relative Markdown links and anchors point at
/// existing files and headings. Developer reading material outside the repository must not be cited at all.
/// </summary>
public sealed partial class DocReferenceTests
{
    // Built from parts so that this file does not trip its own check.
    private static readonly string[] ForbiddenNames =
    [
        "ipfs-rpc-as-called-by-cluster" + ".md",
        "prior-art-ipfsproxy" + ".md",
        "STYLE" + ".md",
        ".." + "/shared",
    ];

    private static readonly string[] SkippedFolders = ["bin", "obj", "node_modules", ".git"];

    [Test]
    public void CodeComments_DocPathsAndSections_Resolve()
    {
        var problems = new List<string>();
        foreach (var file in SourceFiles())
        {
            foreach (var block in CommentBlocks(File.ReadAllLines(file)))
            {
                CheckCitations(Relative(file), block.Line, block.Text, RepositoryPaths.Root, selfDocument: null, problems);
            }
        }

        Assert.That(problems, Is.Empty);
    }

    [Test]
    public void Markdown_DocPathsSectionsLinksAndAnchors_Resolve()
    {
        var problems = new List<string>();
        foreach (var file in MarkdownFiles())
        {
            var folder = Path.GetDirectoryName(file)!;
            foreach (var (line, text) in Paragraphs(ProseLines(File.ReadAllLines(file))))
            {
                var rest = new StringBuilder();
                var last = 0;
                foreach (Match link in LinkPattern().Matches(text))
                {
                    var target = link.Groups["target"].Value;
                    if (IsExternal(target))
                    {
                        continue;
                    }

                    var hash = target.IndexOf('#', StringComparison.Ordinal);
                    var path = hash < 0 ? target : target[..hash];
                    var anchor = hash < 0 ? null : target[(hash + 1)..];
                    var resolved = path.Length == 0 ? file : Path.GetFullPath(Path.Combine(folder, path));
                    var where = $"{Relative(file)}:{line}: ({target})";
                    if (!File.Exists(resolved) && !Directory.Exists(resolved))
                    {
                        problems.Add($"{where}: {path} does not exist");
                    }
                    else if (anchor is not null && !(File.Exists(resolved) && resolved.EndsWith(".md", StringComparison.Ordinal) && Headings(resolved).Slugs.Contains(anchor)))
                    {
                        problems.Add($"{where}: no heading with anchor #{anchor} in {path}");
                    }
                    else if (resolved.EndsWith(".md", StringComparison.Ordinal))
                    {
                        // A section named in the link text belongs to the linked document.
                        foreach (Match section in SectionPattern().Matches(link.Groups["text"].Value))
                        {
                            CheckSection(where, resolved, section.Value, problems);
                        }
                    }

                    rest.Append(text, last, link.Index - last).Append(' ').Append(target).Append(' ');
                    last = link.Index + link.Length;
                }

                rest.Append(text, last, text.Length - last);
                CheckCitations(Relative(file), line, rest.ToString(), RepositoryPaths.Root, selfDocument: file, problems);
            }
        }

        Assert.That(problems, Is.Empty);
    }

    [Test]
    public void Repository_NeverCitesReadingMaterialOutsideIt()
    {
        var problems =
            from file in SourceFiles().Concat(MarkdownFiles()).Concat(ConfigurationFiles())
            from numbered in File.ReadAllLines(file).Select((text, index) => (text, line: index + 1))
            from name in ForbiddenNames
            where numbered.text.Contains(name, StringComparison.Ordinal)
            select $"{Relative(file)}:{numbered.line}: cites {name}; cite the page under docs/ instead";
        Assert.That(problems, Is.Empty);
    }

    [Test]
    public void GitHubSlug_Heading_MatchesGitHubAnchors()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Slug("4.7 pin/ls full listing"), Is.EqualTo("47-pinls-full-listing"));
            Assert.That(Slug("`pin_wait: accepted` — the trade-off"), Is.EqualTo("pin_wait-accepted--the-trade-off"));
            Assert.That(Slug("5.4 POST /pins/{cid}"), Is.EqualTo("54-post-pinscid"));
        });
    }

    /// <summary>
    /// Each <c>§</c> belongs to the nearest <c>docs/….md</c> path before it in the same comment; in Markdown, a
    /// bare <c>§</c> with no path before it refers to the document itself.
    /// </summary>
    private static void CheckCitations(string file, int line, string text, string root, string? selfDocument, List<string> problems)
    {
        var tokens = DocPathPattern().Matches(text).Select(m => (m.Index, IsPath: true, m.Value))
            .Concat(SectionPattern().Matches(text).Select(m => (m.Index, IsPath: false, m.Value)))
            .OrderBy(t => t.Index);
        string? document = selfDocument;
        string? documentName = selfDocument is null ? null : Path.GetFileName(selfDocument);
        foreach (var token in tokens)
        {
            var where = $"{file}:{line}";
            if (token.IsPath)
            {
                document = Path.Combine(root, token.Value);
                documentName = token.Value;
                if (!File.Exists(document))
                {
                    problems.Add($"{where}: {token.Value} does not exist");
                }
            }
            else if (document is null)
            {
                problems.Add($"{where}: {token.Value} names no document; write it as docs/….md {token.Value}");
            }
            else if (File.Exists(document))
            {
                CheckSection($"{where}: {documentName}", document, token.Value, problems);
            }
        }
    }

    private static void CheckSection(string where, string document, string section, List<string> problems)
    {
        var number = section[1..];
        if (!Headings(document).Numbers.Contains(number))
        {
            problems.Add($"{where} {section}: no heading numbered {number} in {Relative(document)}");
        }
    }

    private static readonly ConcurrentDictionary<string, (HashSet<string> Slugs, HashSet<string> Numbers)> HeadingCache = new(StringComparer.Ordinal);

    /// <summary>Anchors (GitHub slugs, with -1, -2 … for repeats) and section numbers of a Markdown file's headings.</summary>
    private static (HashSet<string> Slugs, HashSet<string> Numbers) Headings(string file) => HeadingCache.GetOrAdd(file, ReadHeadings);

    private static (HashSet<string> Slugs, HashSet<string> Numbers) ReadHeadings(string file)
    {
        var slugs = new HashSet<string>(StringComparer.Ordinal);
        var numbers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (_, text) in ProseLines(File.ReadAllLines(file)))
        {
            var heading = HeadingPattern().Match(text);
            if (!heading.Success)
            {
                continue;
            }

            var title = heading.Groups["title"].Value.Trim();
            var slug = Slug(title);
            var unique = slug;
            for (var i = 1; !slugs.Add(unique); i++)
            {
                unique = $"{slug}-{i}";
            }

            var number = HeadingNumberPattern().Match(title);
            if (number.Success)
            {
                numbers.Add(number.Groups["number"].Value);
            }
        }

        return (slugs, numbers);
    }

    /// <summary>GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens.</summary>
    private static string Slug(string title) =>
        SlugDropPattern().Replace(LinkPattern().Replace(title, "${text}").ToLowerInvariant(), "").Replace(' ', '-');

    /// <summary>Comment text of a C# file: runs of whole-line comments as one block, and each trailing comment alone.</summary>
    private static IEnumerable<(int Line, string Text)> CommentBlocks(string[] lines)
    {
        var block = new StringBuilder();
        var start = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].TrimStart();
            if (trimmed.StartsWith("//", StringComparison.Ordinal))
            {
                if (block.Length == 0)
                {
                    start = i + 1;
                }

                block.Append(trimmed).Append('\n');
                continue;
            }

            if (block.Length > 0)
            {
                yield return (start, block.ToString());
                block.Clear();
            }

            var trailing = lines[i].IndexOf(" //", StringComparison.Ordinal);
            if (trailing >= 0 && !lines[i].AsSpan(trailing).Contains('"'))
            {
                yield return (i + 1, lines[i][trailing..]);
            }
        }

        if (block.Length > 0)
        {
            yield return (start, block.ToString());
        }
    }

    /// <summary>Lines outside fenced code blocks, with their numbers.</summary>
    private static IEnumerable<(int Line, string Text)> ProseLines(string[] lines)
    {
        var fenced = false;
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
                continue;
            }

            if (!fenced)
            {
                yield return (i + 1, lines[i]);
            }
        }
    }

    /// <summary>Markdown prose grouped into paragraphs (a blank line or a heading ends one), so a wrapped link still matches.</summary>
    private static IEnumerable<(int Line, string Text)> Paragraphs(IEnumerable<(int Line, string Text)> lines)
    {
        var paragraph = new StringBuilder();
        var start = 0;
        foreach (var (line, text) in lines)
        {
            var boundary = text.Trim().Length == 0 || HeadingPattern().IsMatch(text) || text.TrimStart().StartsWith('|');
            if (boundary && paragraph.Length > 0)
            {
                yield return (start, paragraph.ToString());
                paragraph.Clear();
            }

            if (text.Trim().Length == 0)
            {
                continue;
            }

            if (paragraph.Length == 0)
            {
                start = line;
            }

            paragraph.Append(text).Append('\n');
            if (boundary)
            {
                // Headings and table rows stand alone.
                yield return (start, paragraph.ToString());
                paragraph.Clear();
            }
        }

        if (paragraph.Length > 0)
        {
            yield return (start, paragraph.ToString());
        }
    }

    private static bool IsExternal(string target) =>
        target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal);

    private static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateDirectories(RepositoryPaths.Root, "Gateway*")
            .SelectMany(project => Files(project, "*.cs"));

    private static IEnumerable<string> MarkdownFiles() => Files(RepositoryPaths.Root, "*.md");

    private static IEnumerable<string> ConfigurationFiles() =>
        new[] { "*.yaml", "*.yml", "*.props", "*.json", "*.sh", "*.service", "*.snippet", "*.txt", ".editorconfig" }
            .SelectMany(pattern => Files(RepositoryPaths.Root, pattern));

    private static IEnumerable<string> Files(string folder, string pattern) =>
        Directory.EnumerateFiles(folder, pattern, SearchOption.AllDirectories)
            .Where(file => !Path.GetRelativePath(RepositoryPaths.Root, file)
                .Split(Path.DirectorySeparatorChar)
                .Any(part => SkippedFolders.Contains(part, StringComparer.Ordinal)));

    private static string Relative(string file) => Path.GetRelativePath(RepositoryPaths.Root, file);

    /// <summary>A repository-root path to a Markdown page under docs/, not part of a longer path or URL.</summary>
    [GeneratedRegex(@"(?<![\w./-])docs/[\w./-]+\.md")]
    private static partial Regex DocPathPattern();

    [GeneratedRegex(@"§\d+(?:\.\d+)*")]
    private static partial Regex SectionPattern();

    [GeneratedRegex(@"(?<!!)\[(?<text>[^\]]*)\]\((?<target>[^)\s]+)\)")]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"^#{1,6}\s+(?<title>.+?)\s*#*\s*$")]
    private static partial Regex HeadingPattern();

    /// <summary>A heading that starts with its section number: <c>4.7 pin/ls …</c> or <c>4. Call by call</c>.</summary>
    [GeneratedRegex(@"^(?<number>\d+(?:\.\d+)*)\.?\s")]
    private static partial Regex HeadingNumberPattern();

    [GeneratedRegex(@"[^\w\- ]")]
    private static partial Regex SlugDropPattern();
}
