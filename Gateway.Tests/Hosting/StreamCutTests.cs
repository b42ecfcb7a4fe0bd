using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using CompositeGateway.Lab;
using CompositeGateway.Tests.Functional;

namespace CompositeGateway.Tests.Hosting;

/// <summary>
/// A stream that fails after its 200 ends without its chunked terminator, and everything written before the failure
/// still reaches the caller, however slowly it reads (Hosting/KestrelRejections.cs, KuboRpc/IStreamCutFeature.cs).
/// An abort after a timed grace lost the values still in Kestrel's output pipe whenever the caller (or the machine)
/// was slower than the grace: here the caller stops reading for longer than any such grace right after the failure.
/// </summary>
public sealed class StreamCutTests
{
    // About 2 KiB per listed pin, so the listing is megabytes: far more than Kestrel's output pipe (64 KiB) and the
    // loopback socket buffers hold, so the gateway writes ahead of a slow reader only as fast as it reads.
    private const int Pins = 4000;
    private const int DropAfter = 3500;
    private static readonly string LongName = new('n', 2000);

    [Test]
    public async Task ListingBreaksAfterMegabytes_CallerReadsSlowly_EveryWrittenValueArrivesThenNoCleanEnd()
    {
        await using var environment = await TestEnvironment.StartAsync();
        var gateway = environment.Gateway;
        environment.Cluster.Seed(Pins, namePrefix: LongName, metadata: new Dictionary<string, string>
        {
            [gateway.OwnerKey] = "2024-01-01T00:00:00Z",
            [gateway.Options.PinPath.MetadataPrefix + "created"] = "true",
        });
        environment.Cluster.Faults.Merge(new LabFaults { DropStreamAfter = DropAfter, Paths = ["/allocations"] });
        var endPoint = (IPEndPoint)gateway.Host.KuboRpcEndPoint;

        // The caller reads at a bounded pace, so the gateway's output is queued in front of it when the break comes,
        // then stops reading for 3 s (a timed abort after a grace of up to a second drops the queue).
        var slow = await ReadListingAsync(endPoint, failed: () => CutsLogged(gateway) > 0);

        // How many values the gateway wrote: one per listed pin, as many as the undercluster's stream gave before it broke.
        var listed = gateway.Logs.Entries.Where(e => e.EventId.Id == 1430).Select(e => Regex.Match(e.Message, @"failed after (\d+) items")).Single();
        var written = int.Parse(listed.Groups[1].Value, CultureInfo.InvariantCulture);
        TestContext.Out.WriteLine($"gateway wrote {written} values; the slow caller got {slow.Values} values ({slow.BodyBytes:N0} bytes), paused {slow.Paused}");
        Assert.Multiple(() =>
        {
            Assert.That(written, Is.GreaterThan(500), "the break comes after megabytes of values");
            Assert.That(slow.Paused, Is.True, "the caller saw the gateway fail while it was still reading");
            Assert.That(slow.Status, Is.EqualTo(200));
            Assert.That(slow.Values, Is.EqualTo(written), "every value written before the break reaches the caller");
            Assert.That(slow.Terminated, Is.False, "no chunked terminator: the Go peer reads unexpected EOF");
            Assert.That(slow.PartialChunk, Is.False, "every chunk written arrived whole");
            Assert.That(slow.Reset, Is.False, "the connection closed after its output drained (FIN), not reset");
        });
    }

    private static int CutsLogged(GatewayUnderTest gateway) => gateway.Logs.Entries.Count(e => e.EventId.Id == 1301);

    private static async Task<Listing> ReadListingAsync(IPEndPoint endPoint, Func<bool>? failed)
    {
        // A small, fixed receive buffer (no autotuning) keeps the caller's side of the queue small.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 64 * 1024 };
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await socket.ConnectAsync(endPoint, deadline.Token);
        await socket.SendAsync(Encoding.ASCII.GetBytes("POST /api/v0/pin/ls?stream=true&names=true HTTP/1.1\r\nHost: gateway\r\nContent-Length: 0\r\n\r\n"), deadline.Token);

        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        var paused = false;
        var reset = false;
        while (true)
        {
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                reset = true;
                break;
            }

            if (read == 0)
            {
                break;
            }

            received.Write(buffer, 0, read);
            if (failed is not null && !paused)
            {
                if (failed())
                {
                    paused = true;
                    await Task.Delay(TimeSpan.FromSeconds(3), deadline.Token);
                }
                else
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(10), deadline.Token);
                }
            }
        }

        return Listing.Parse(received.ToArray(), paused, reset);
    }

    /// <summary>What a caller received: the status, the values of the chunked body and how the body ended.</summary>
    private sealed record Listing(int Status, int Values, long BodyBytes, bool Terminated, bool PartialChunk, bool Paused, bool Reset)
    {
        public static Listing Parse(byte[] raw, bool paused, bool reset)
        {
            var text = Encoding.Latin1.GetString(raw);
            var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headEnd < 0 || !text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal))
            {
                return new Listing(0, 0, 0, false, false, paused, reset);
            }

            var status = int.Parse(text.AsSpan(9, 3), CultureInfo.InvariantCulture);
            Assert.That(text[..headEnd], Does.Contain("Transfer-Encoding: chunked"));
            var body = new StringBuilder();
            var position = headEnd + 4;
            var terminated = false;
            var partial = false;
            while (position < text.Length)
            {
                var lineEnd = text.IndexOf("\r\n", position, StringComparison.Ordinal);
                if (lineEnd < 0)
                {
                    partial = true;
                    break;
                }

                var size = Convert.ToInt32(text[position..lineEnd], 16);
                if (size == 0)
                {
                    terminated = true;
                    break;
                }

                if (lineEnd + 2 + size + 2 > text.Length)
                {
                    partial = true;
                    break;
                }

                body.Append(text, lineEnd + 2, size);
                position = lineEnd + 2 + size + 2;
            }

            var values = body.ToString().Count(c => c == '\n');
            return new Listing(status, values, body.Length, terminated, partial, paused, reset);
        }
    }
}
