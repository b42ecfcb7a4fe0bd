using System.Text;
using System.Text.RegularExpressions;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Architecture;

/// <summary>
/// The top-level folders of <c>Gateway/</c> are the stages of a request's journey and the services around it; a
/// newcomer reads them in dependency order, which exists only while no two folders use each other, directly or
/// round a loop. Dependencies are read from the source: <c>using CompositeGateway.X</c> directives, fully qualified
/// <c>CompositeGateway.X.</c> references and partly qualified <c>X.Type</c> references to a folder's namespace.
/// </summary>
public sealed partial class FolderDependencyTests
{
    [Test]
    public void GatewayFolders_HaveNoDependencyCycles()
    {
        var map = FolderMap.Read(Path.Combine(RepositoryPaths.Root, "Gateway"));
        TestContext.Out.WriteLine(map.Describe());

        var cycles = map.Cycles();

        Assert.That(cycles, Is.Empty, "folders that use each other (directly or round a loop):\n" + string.Join("\n", cycles) + "\n" + map.Describe());
    }

    [Test]
    public void FolderMap_SeesTheKnownDependencies()
    {
        var map = FolderMap.Read(Path.Combine(RepositoryPaths.Root, "Gateway"));

        Assert.Multiple(() =>
        {
            Assert.That(map.Uses["KuboRpc"], Does.Contain("Composition"));
            Assert.That(map.Uses["Composition"], Does.Contain("Underclusters"));
            Assert.That(map.Uses["Underclusters"], Does.Contain("Clusters"));
            Assert.That(map.Uses["Admin"], Does.Contain("Underclusters"));
        });
    }

    [Test]
    public void FolderMap_CycleBetweenTwoFolders_IsReported()
    {
        var uses = new Dictionary<string, SortedSet<string>>
        {
            ["A"] = ["B"],
            ["B"] = ["C"],
            ["C"] = ["A"],
            ["D"] = ["A"],
        };

        var cycles = new FolderMap(uses, new Dictionary<string, int>()).Cycles();

        Assert.That(cycles, Is.EqualTo(new[] { "A → B → C" }));
    }

    internal sealed partial class FolderMap(IReadOnlyDictionary<string, SortedSet<string>> uses, IReadOnlyDictionary<string, int> lines)
    {
        public IReadOnlyDictionary<string, SortedSet<string>> Uses => uses;

        public static FolderMap Read(string root)
        {
            var folders = Directory.GetDirectories(root)
                .Select(Path.GetFileName)
                .OfType<string>()
                .Where(f => f is not ("bin" or "obj") && !f.StartsWith('.'))
                .Where(f => Directory.EnumerateFiles(Path.Combine(root, f), "*.cs", SearchOption.AllDirectories).Any())
                .ToHashSet(StringComparer.Ordinal);
            var uses = folders.ToDictionary(f => f, _ => new SortedSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
            var lines = folders.ToDictionary(f => f, _ => 0, StringComparer.Ordinal);
            foreach (var folder in folders)
            {
                foreach (var file in Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories))
                {
                    var text = File.ReadAllText(file);
                    lines[folder] += text.Count(c => c == '\n');
                    foreach (var used in Referenced(StripCommentsAndStrings(text), folders))
                    {
                        if (used != folder)
                        {
                            uses[folder].Add(used);
                        }
                    }
                }
            }

            return new FolderMap(uses, lines);
        }

        /// <summary>Every loop of folders (one line per strongly connected group of more than one folder).</summary>
        public IReadOnlyList<string> Cycles()
        {
            var index = 0;
            var indices = new Dictionary<string, int>(StringComparer.Ordinal);
            var low = new Dictionary<string, int>(StringComparer.Ordinal);
            var stack = new Stack<string>();
            var cycles = new List<string>();
            foreach (var node in uses.Keys.Order(StringComparer.Ordinal))
            {
                if (!indices.ContainsKey(node))
                {
                    Connect(node);
                }
            }

            return cycles;

            // Tarjan's strongly connected components.
            void Connect(string node)
            {
                indices[node] = low[node] = index++;
                stack.Push(node);
                foreach (var next in uses.GetValueOrDefault(node) ?? [])
                {
                    if (!indices.ContainsKey(next))
                    {
                        Connect(next);
                        low[node] = Math.Min(low[node], low[next]);
                    }
                    else if (stack.Contains(next))
                    {
                        low[node] = Math.Min(low[node], indices[next]);
                    }
                }

                if (low[node] == indices[node])
                {
                    var group = new List<string>();
                    string member;
                    do
                    {
                        member = stack.Pop();
                        group.Add(member);
                    }
                    while (member != node);
                    if (group.Count > 1)
                    {
                        cycles.Add(string.Join(" → ", group.Order(StringComparer.Ordinal)));
                    }
                }
            }
        }

        /// <summary>One line per folder: its size and the folders it uses, callers first.</summary>
        public string Describe()
        {
            var text = new StringBuilder("Gateway/ folder map (folder [lines] → folders it uses):\n");
            foreach (var (folder, used) in uses.OrderByDescending(u => Depth(u.Key)).ThenBy(u => u.Key, StringComparer.Ordinal))
            {
                text.Append($"  {folder} [{lines.GetValueOrDefault(folder)}] → {(used.Count == 0 ? "(nothing)" : string.Join(", ", used))}\n");
            }

            return text.ToString();
        }

        /// <summary>The longest chain of uses below a folder. Memoised, and a folder met again on the current path counts
        /// as 0, so a cycle still prints instead of exploding the recursion.</summary>
        private int Depth(string folder) => Depth(folder, new Dictionary<string, int>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal));

        private int Depth(string folder, Dictionary<string, int> known, HashSet<string> onPath)
        {
            if (known.TryGetValue(folder, out var depth))
            {
                return depth;
            }

            if (!onPath.Add(folder) || !uses.TryGetValue(folder, out var used) || used.Count == 0)
            {
                return 0;
            }

            depth = 1 + used.Max(u => Depth(u, known, onPath));
            onPath.Remove(folder);
            known[folder] = depth;
            return depth;
        }

        private static IEnumerable<string> Referenced(string code, IReadOnlySet<string> folders)
        {
            foreach (Match match in Qualified().Matches(code))
            {
                yield return match.Groups["folder"].Value;
            }

            // `Composition.PinPathOptions` inside another CompositeGateway namespace resolves without a using.
            foreach (Match match in PartlyQualified().Matches(code))
            {
                if (folders.Contains(match.Groups["folder"].Value))
                {
                    yield return match.Groups["folder"].Value;
                }
            }
        }

        private static string StripCommentsAndStrings(string code) => CommentOrString().Replace(code, m => m.Value.StartsWith('/') ? "" : "\"\"");

        [GeneratedRegex(@"\bCompositeGateway\.(?<folder>[A-Z]\w*)")]
        private static partial Regex Qualified();

        // Not after a dot (a member access like options.KuboRpc.X) nor inside a namespace declaration.
        [GeneratedRegex(@"(?<![\w.])(?<folder>[A-Z]\w*)\.[A-Z]\w*")]
        private static partial Regex PartlyQualified();

        [GeneratedRegex(@"//[^\n]*|/\*.*?\*/|@""(?:[^""]|"""")*""|""(?:[^""\\\n]|\\.)*""", RegexOptions.Singleline)]
        private static partial Regex CommentOrString();
    }
}
