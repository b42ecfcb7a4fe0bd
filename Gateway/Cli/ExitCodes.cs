namespace CompositeGateway.Cli;

/// <summary>Process exit codes, documented for operators in docs/cli.md.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Something failed at run time (cannot bind a port, I/O error, unexpected exception).</summary>
    public const int Failure = 1;

    /// <summary>The configuration, the identity key or the command line is wrong; nothing was started.</summary>
    public const int Usage = 2;
}
