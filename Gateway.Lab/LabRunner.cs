namespace CompositeGateway.Lab;

/// <summary>Runs emulated clusters for <c>composite-gateway emulate</c> until cancelled (Ctrl-C).</summary>
internal static class LabRunner
{
    public static async Task<int> RunAsync(IReadOnlyList<EmulatedClusterOptions> clusters, int seedPins, TextWriter output, CancellationToken cancellationToken)
    {
        var started = new List<EmulatedCluster>();
        try
        {
            foreach (var options in clusters)
            {
                var cluster = await EmulatedCluster.StartAsync(options, TimeProvider.System, cancellationToken: cancellationToken);
                started.Add(cluster);
                if (seedPins > 0)
                {
                    cluster.Seed(seedPins);
                }

                var address = cluster.BaseAddress.ToString().TrimEnd('/');
                await output.WriteLineAsync($"cluster {cluster.Name} listening on {address} ({cluster.Peers.Count} peers)");
                if (cluster.IpfsBaseAddress is { } ipfs)
                {
                    await output.WriteLineAsync($"cluster {cluster.Name} ipfs api on {ipfs.ToString().TrimEnd('/')}");
                }
            }

            await output.FlushAsync(cancellationToken);
            await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C: the normal way out.
        }
        catch (IOException e)
        {
            await output.WriteLineAsync("emulate: cannot listen: " + e.Message);
            return 1;
        }
        finally
        {
            foreach (var cluster in started)
            {
                await cluster.DisposeAsync();
            }
        }

        return 0;
    }
}
