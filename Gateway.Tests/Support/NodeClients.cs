using System.Diagnostics;

namespace CompositeGateway.Tests.Support;

/// <summary>
/// Runs small Node.js scripts that use the real third-party clients installed in
/// <c>Gateway.Tests/js/node_modules</c> (kubo-rpc-client, ipfs-only-hash, @nftstorage/ipfs-cluster).
/// When node or the packages are missing, <c>npm ci</c> is tried once; if that fails the calling
/// test is ignored with a visible notice rather than passing silently.
/// </summary>
internal static class NodeClients
{
    private static readonly Lazy<string?> Unavailable = new(EnsureInstalled, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Runs <paramref name="script"/> (CommonJS or top-level-await-free ESM via dynamic import) with the js folder as working directory.</summary>
    public static async Task<NodeResult> RunAsync(string script, string? stdin = null, CancellationToken cancellationToken = default)
    {
        RequireInstalled();
        var file = Path.Combine(RepositoryPaths.JsClients, $".t-{Guid.NewGuid():N}.cjs");
        await File.WriteAllTextAsync(file, script, cancellationToken);
        try
        {
            var start = new ProcessStartInfo("node", [file])
            {
                WorkingDirectory = RepositoryPaths.JsClients,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin.AsMemory(), cancellationToken);
            }

            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromMinutes(2));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return new NodeResult(process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Ignores the calling test, with the reason, when the clients cannot be had.</summary>
    public static void RequireInstalled()
    {
        if (Unavailable.Value is { } reason)
        {
            Assert.Ignore("NOTICE: third-party JS clients unavailable, check skipped: " + reason);
        }
    }

    private static string? EnsureInstalled()
    {
        if (Directory.Exists(Path.Combine(RepositoryPaths.JsClients, "node_modules", "kubo-rpc-client")))
        {
            return null;
        }

        try
        {
            var start = new ProcessStartInfo("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            {
                WorkingDirectory = RepositoryPaths.JsClients,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start);
            if (process is null)
            {
                return "npm did not start";
            }

            var err = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : "npm ci failed: " + err;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return "node/npm not installed: " + e.Message;
        }
    }
}

internal sealed record NodeResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}
