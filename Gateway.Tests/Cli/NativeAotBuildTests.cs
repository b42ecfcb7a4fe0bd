using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using System.Text.RegularExpressions;
using CompositeGateway.Lab;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Cli;

/// <summary>
/// The builds an operator publishes besides the framework-dependent one (docs/cli.md): the Native AOT build, the
/// trimmed self-contained build, and the container image's build (deploy/docker/Dockerfile's build-stage RUN
/// commands run as written, since no image can be built here). Each is published from a copy of the sources as an
/// operator publishes it, then driven through the same journey as this build's JIT program, each in front of its own
/// emulator with one identity key. Every answer (status and body) must be the same, the pin must really reach and
/// leave the undercluster's pinset, and the published program must stop cleanly on SIGTERM. Explicit: the publish
/// alone takes minutes.
/// Command in docs/development/performance.md ("Native AOT build").
/// </summary>
[Explicit("publishes the Native AOT, trimmed self-contained and container builds: a few minutes")]
[Category("NativeAot")]
[NonParallelizable]
[Platform("Linux")]
[UnsupportedOSPlatform("windows")]
[TestFixture("aot")]
[TestFixture("trimmed")]
[TestFixture("image")]
public sealed partial class NativeAotBuildTests(string build)
{
    private string _folder = null!;
    private string _published = null!;
    private string _publishOutput = "";

    /// <summary>The journey's first calls, which succeed; the rest are error answers (see <see cref="JourneyAsync"/>).</summary>
    private const int Succeeding = 9;

    [OneTimeSetUp]
    public async Task PublishAsync()
    {
        _folder = Path.Combine(Path.GetTempPath(), $"cg-{build}-" + Guid.NewGuid().ToString("N")[..8]);
        var source = Path.Combine(_folder, "src");
        var output = Path.Combine(_folder, "out");
        CopySources(source);
        if (build == "image")
        {
            await RunBuildStageAsync(source, output);
        }
        else
        {
            await PublishAsOperatorAsync(source, output);
        }

        _published = Path.Combine(output, "composite-gateway");
        Assert.That(File.Exists(_published), Is.True, "the publish left no composite-gateway program");
    }

    /// <summary>The command an operator types for this build (docs/cli.md).</summary>
    private async Task PublishAsOperatorAsync(string source, string output)
    {
        var arguments = new List<string> { "publish", "Gateway/Gateway.csproj", "-c", "Release", "-r", RuntimeInformation.RuntimeIdentifier, "-o", output };
        if (build == "aot")
        {
            arguments.Add("-p:PublishAot=true");
            if (Linker() is { } linker)
            {
                arguments.Add("-p:CppCompilerAndLinker=" + linker);
            }
        }
        else
        {
            // Trimmed by Gateway.csproj's default for a self-contained publish: nothing more on the command line.
            arguments.Add("--self-contained");
        }

        var publish = await ExternalTool.RunAsync(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", arguments, source, limit: TimeSpan.FromMinutes(20));
        _publishOutput = publish.Stdout + publish.Stderr;
        Assert.That(publish.ExitCode, Is.Zero, $"dotnet {string.Join(' ', arguments)} failed:\n" + publish);
    }

    /// <summary>
    /// The Dockerfile's build-stage RUN commands with bash, in order, as BuildKit runs them for this machine's platform;
    /// the image's /app is <paramref name="output"/>. The restore runs after every source is copied instead of between
    /// the COPY lines, which changes what it reads from nothing.
    /// </summary>
    private async Task RunBuildStageAsync(string source, string output)
    {
        var dockerfile = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "deploy", "docker", "Dockerfile")).Replace("\\\n", " ", StringComparison.Ordinal);
        var stage = dockerfile.Split('\n').SkipWhile(l => !l.StartsWith("FROM ", StringComparison.Ordinal)).Skip(1).TakeWhile(l => !l.StartsWith("FROM ", StringComparison.Ordinal));
        var runs = stage.Where(l => l.StartsWith("RUN ", StringComparison.Ordinal)).Select(l => l["RUN ".Length..].Replace("/app", output, StringComparison.Ordinal)).ToList();
        Assert.That(runs, Has.Count.EqualTo(2), "the build stage restores, then publishes");
        var architecture = RuntimeInformation.OSArchitecture switch
        {
            System.Runtime.InteropServices.Architecture.X64 => "amd64",
            System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
            var other => throw new IgnoreException($"no container platform for {other}"),
        };
        var environment = new Dictionary<string, string> { ["TARGETARCH"] = architecture };
        var bash = ExternalTool.Require("bash", "bash");
        foreach (var run in runs)
        {
            var result = await ExternalTool.RunAsync(bash, ["-euc", run], source, environment, TimeSpan.FromMinutes(20));
            _publishOutput += result.Stdout + result.Stderr;
            Assert.That(result.ExitCode, Is.Zero, $"RUN {run} failed:\n" + result);
        }
    }

    [Test]
    public void Publish_SelfContained_IsTrimmed()
    {
        if (build == "aot")
        {
            Assert.Ignore("a Native AOT build has no framework files to check: it is one program");
        }

        // An untrimmed self-contained publish carries the whole framework, XML included; the gateway reads no XML.
        Assert.That(File.Exists(Path.Combine(_folder, "out", "System.Private.Xml.dll")), Is.False, "System.Private.Xml.dll was published: not trimmed");
    }

    [OneTimeTearDown]
    public void Delete()
    {
        if (_folder is not null && Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Test]
    public void Publish_TreatsWarningsAsErrors_ReportsNone()
    {
        // The repository's TreatWarningsAsErrors reaches the AOT compiler (ILC runs with --warnaserror), so a trim or AOT
        // warning would have failed the publish above; this names any that an SDK change lets through as text.
        var warnings = _publishOutput.Split('\n').Where(l => WarningLine().IsMatch(l)).ToList();
        Assert.That(warnings, Is.Empty, string.Join('\n', warnings));
    }

    [Test]
    public async Task Journey_PublishedAndJitBuilds_AnswerTheSame()
    {
        var key = Path.Combine(_folder, "identity.key");
        var cid = Functional.TestEnvironment.NewCid();
        var jit = await JourneyAsync([Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", Path.Combine(AppContext.BaseDirectory, "composite-gateway.dll")], key, cid);
        var published = await JourneyAsync([_published], key, cid);

        Assert.Multiple(() =>
        {
            Assert.That(published.Answers, Has.Count.EqualTo(jit.Answers.Count));
            Assert.That(published.Answers.Take(Succeeding), Has.All.StartWith("200 "), "the calls that succeed");
            Assert.That(published.Answers.Skip(Succeeding), Has.None.StartWith("200 "), "the calls that fail");
            for (var i = 0; i < Math.Min(published.Answers.Count, jit.Answers.Count); i++)
            {
                Assert.That(published.Answers[i], Is.EqualTo(jit.Answers[i]), "answer " + i);
            }

            Assert.That(published.Pinned, Is.True, "the published build's pin/add reached the undercluster's pinset");
            Assert.That(published.Unpinned, Is.True, "the published build's pin/rm left the undercluster's pinset");
            Assert.That(published.Metrics, Does.Contain("gateway_kubo_requests_total"), "the published build's /metrics");
            Assert.That(published.ExitCode, Is.Zero, "the published build stops cleanly on SIGTERM:\n" + published.Log);
            Assert.That(jit.ExitCode, Is.Zero, "the JIT build stops cleanly on SIGTERM:\n" + jit.Log);
        });
    }

    /// <summary>
    /// One gateway in front of a new emulator: pin, query, list, add content, space, unpin, then the error answers.
    /// Each answer as "status path body"; the version's body carries the build's commit, which a copy of the sources lacks.
    /// </summary>
    private async Task<Journey> JourneyAsync(string[] command, string key, string cid)
    {
        await using var cluster = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = "lab-0", Listen = "127.0.0.1:0" }, TimeProvider.System, CancellationToken.None);
        var config = Path.Combine(_folder, "gateway-" + Guid.NewGuid().ToString("N")[..8] + ".yaml");
        await File.WriteAllTextAsync(config, $"""
            listen: 127.0.0.1:0
            admin_listen: 127.0.0.1:0
            identity_file: {key}
            underclusters:
              - name: lab-0
                url: {cluster.BaseAddress}
            """);
        var log = new StringBuilder();
        using var process = GatewayListeners.StartLogged(new ProcessStartInfo(command[0], [.. command[1..], "run", "--config", config]) { WorkingDirectory = _folder }, log);
        var answers = new List<string>();
        bool pinned, unpinned;
        string metrics;
        try
        {
            var (kubo, admin) = await GatewayListeners.WaitAsync(log);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            async Task<string> Call(HttpMethod method, string path, HttpContent? body = null)
            {
                using var request = new HttpRequestMessage(method, new Uri(kubo, path)) { Content = body };
                using var response = await http.SendAsync(request);
                var answer = $"{(int)response.StatusCode} {path} {await response.Content.ReadAsStringAsync()}";
                answers.Add(answer);
                return answer;
            }

            var version = await Call(HttpMethod.Post, "api/v0/version");
            answers[^1] = version.Split(' ')[0] + " version";
            // id's addresses carry this run's ports; its peer ID is the shared key's.
            await Call(HttpMethod.Post, "api/v0/id");
            answers[^1] = answers[^1].Split(' ')[0] + " id " + PeerId(answers[^1]);
            await Call(HttpMethod.Post, $"api/v0/pin/add?arg={cid}&recursive=true");
            pinned = cluster.GetPin(cid) is not null;
            await Call(HttpMethod.Post, $"api/v0/pin/ls?arg={cid}&type=recursive&stream=true");
            await Call(HttpMethod.Post, "api/v0/pin/ls?type=recursive&stream=true");
            await Call(HttpMethod.Post, "api/v0/pin/ls?type=recursive");
            await Call(HttpMethod.Post, "api/v0/repo/stat?size-only=true");
            var file = new ByteArrayContent(Encoding.UTF8.GetBytes("native and JIT builds agree\n"));
            file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            await Call(HttpMethod.Post, "api/v0/add?cid-version=1&pin=false", new MultipartFormDataContent { { file, "file", "agree.txt" } });
            await Call(HttpMethod.Post, $"api/v0/pin/rm?arg={cid}");
            unpinned = cluster.GetPin(cid) is null;
            await Call(HttpMethod.Post, $"api/v0/pin/ls?arg={cid}&type=recursive");
            await Call(HttpMethod.Post, "api/v0/pin/add?arg=not-a-cid");
            await Call(HttpMethod.Post, "api/v0/pin/ls?type=sideways");
            await Call(HttpMethod.Post, "api/v0/no/such/command");
            await Call(HttpMethod.Get, "api/v0/id");
            metrics = await http.GetStringAsync(new Uri(admin, "metrics"));
        }
        finally
        {
            await StopAsync(process);
        }

        lock (log)
        {
            return new Journey(answers, pinned, unpinned, metrics, process.ExitCode, log.ToString());
        }
    }

    /// <summary>SIGTERM, as an operator stops it; killed if it has not exited 20 s later, so no gateway outlives the test.</summary>
    private static async Task StopAsync(Process process)
    {
        if (process.HasExited)
        {
            return;
        }

        await ExternalTool.RunAsync("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            Assert.Fail("the gateway did not exit within 20 s of SIGTERM");
        }
    }

    /// <summary>The <c>ID</c> of an <c>id</c> answer ("status path body"), or the whole answer when it is not one.</summary>
    private static string PeerId(string answer)
    {
        var body = answer.IndexOf('{', StringComparison.Ordinal);
        if (body < 0)
        {
            return answer;
        }

        using var document = System.Text.Json.JsonDocument.Parse(answer[body..]);
        return document.RootElement.TryGetProperty("ID", out var id) ? id.GetString() ?? answer : answer;
    }

    /// <summary>What the Dockerfile copies: the program's projects and the repository-wide build files, no bin/ or obj/.</summary>
    private static void CopySources(string target)
    {
        foreach (var file in new[] { "global.json", "Directory.Build.props", "Directory.Packages.props", ".editorconfig" })
        {
            Directory.CreateDirectory(target);
            File.Copy(Path.Combine(RepositoryPaths.Root, file), Path.Combine(target, file));
        }

        foreach (var project in new[] { "Gateway", "Gateway.Formats", "Gateway.Lab" })
        {
            var from = Path.Combine(RepositoryPaths.Root, project);
            foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(from, file);
                if (relative.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal) || relative.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    continue;
                }

                var to = Path.Combine(target, project, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                File.Copy(file, to);
            }
        }
    }

    /// <summary>Null when <c>clang</c> is on the PATH (the SDK's default); a versioned clang otherwise; ignores the test without one.</summary>
    private static string? Linker()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':');
        if (path.Any(folder => File.Exists(Path.Combine(folder, "clang"))))
        {
            return null;
        }

        foreach (var version in Enumerable.Range(14, 8).Reverse())
        {
            if (path.Any(folder => File.Exists(Path.Combine(folder, $"clang-{version}"))))
            {
                return $"clang-{version}";
            }
        }

        Assert.Ignore("NOTICE: no clang for the Native AOT link (Debian package clang); check skipped");
        return null;
    }

    private sealed record Journey(List<string> Answers, bool Pinned, bool Unpinned, string Metrics, int ExitCode, string Log);

    [GeneratedRegex(@"\bwarning [A-Z]+[0-9]+\b", RegexOptions.IgnoreCase)]
    private static partial Regex WarningLine();
}
