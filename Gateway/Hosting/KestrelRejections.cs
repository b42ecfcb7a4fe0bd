using System.IO.Pipelines;
using CompositeGateway.KuboRpc;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace CompositeGateway.Hosting;

/// <summary>
/// Gives the refusals Kestrel makes on its own a Kubo JSON error body. Kestrel answers a request it cannot parse
/// (malformed request line or header, a header line or head over the limits, an unknown HTTP version, a POST
/// without a length, a head that does not arrive in time) before any middleware runs, with the status, an empty
/// body and <c>Connection: close</c>, and offers no hook to write that answer. Connection middleware is the legitimate
/// place that sees those bytes: it wraps the Kubo listener's output and, while no request of the connection is in
/// the application (<see cref="UseRequestTracking"/>), rewrites such an answer into the same status with
/// <c>{"Message","Code":1,"Type":"error"}</c> (<see cref="RejectionAnswer"/>). Everything else passes unchanged.
/// The same wrapper gives a length-less POST the empty body Go reads it as (<see cref="LengthlessPostStream"/>),
/// and ends a failed stream after its 200 (<see cref="IStreamCutFeature"/>): Kestrel has no way to end an HTTP/1.1
/// answer without its terminator except an abort, which drops what still sits in the output pipe, or an exception
/// from the application, which it logs as an unhandled error. Here the terminator is simply never sent, the
/// connection is asked to close after this request, and Kestrel's ordinary end of the connection sends everything
/// written before and then closes it (FIN, no reset).
/// Both sides pass straight through to the transport when nothing needs watching (<see cref="RejectionRewritingWriter"/>,
/// <see cref="LengthlessPostReader"/>): the wrapper is on every forwarded byte.
/// </summary>
internal static class KestrelRejections
{
    private static readonly object StateKey = new();

    /// <summary>Wraps every connection of <paramref name="listenOptions"/>; must come after connection tagging.</summary>
    public static void AnswerInKuboJson(ListenOptions listenOptions) =>
        listenOptions.Use(next => async connection =>
        {
            var state = new ConnectionState(connection.Features.Get<IConnectionLifetimeNotificationFeature>());
            connection.Items[StateKey] = state;
            if (state.CanCut)
            {
                // Requests see connection features (Kestrel falls back to them), so the Kubo surface finds it there.
                connection.Features.Set<IStreamCutFeature>(state);
            }

            var original = connection.Transport;
            var output = new RejectionRewritingWriter(original.Output, state);
            var input = new LengthlessPostReader(original.Input);
            connection.Transport = new DuplexPipe(input, output);
            try
            {
                await next(connection);
            }
            finally
            {
                await input.CompleteAsync();
                await output.CompleteAsync();
                connection.Transport = original;
            }
        });

    /// <summary>Marks the connection as busy in the application from a request's start until its response is complete.</summary>
    public static IApplicationBuilder UseRequestTracking(this IApplicationBuilder app) =>
        app.Use(next => http =>
        {
            if (http.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(StateKey, out var value) == true && value is ConnectionState state)
            {
                state.InApplication = true;
                http.Response.OnCompleted(() =>
                {
                    state.InApplication = false;
                    return Task.CompletedTask;
                });
            }

            return next(http);
        });

    internal sealed class ConnectionState(IConnectionLifetimeNotificationFeature? lifetime) : IStreamCutFeature
    {
        private volatile bool _inApplication;
        private volatile bool _cut;

        public bool InApplication
        {
            get => _inApplication;
            set => _inApplication = value;
        }

        /// <summary>Set once a stream was cut: every later write of the connection is dropped.</summary>
        public bool IsCut => _cut;

        /// <summary>Without Kestrel's close request the connection would stay open, waiting for a terminator that never comes.</summary>
        public bool CanCut => lifetime is not null;

        public void Cut()
        {
            _cut = true;
            // HTTP/1.1: no further request is read, so nothing more is answered; the connection then ends the
            // ordinary way, its output pipe drained to the socket before the close.
            lifetime!.RequestClose();
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }
}
