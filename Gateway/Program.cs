using CompositeGateway.Cli;

// ProcessTerminationTimeout = null: System.CommandLine leaves SIGTERM/SIGINT to the web host, which stops
// gracefully within shutdown_timeout instead of being killed after System.CommandLine's 2 s default.
return await GatewayCommandLine.InvokeAsync(args, new System.CommandLine.InvocationConfiguration { ProcessTerminationTimeout = null });
