#include "lab/cli/command_support.hpp"

#include <charconv>
#include <cmath>
#include <iostream>

#include "lab/results/writer.hpp"
#include "lab/scenario/sweep.hpp"

namespace lab {

const CLI::Validator listen_address(
    [](std::string& text) -> std::string {
        auto host = numeric_host(text);
        if (!host)
            return "'" + text.substr(0, 60) +
                   "' is not an address (localhost, or numbers such as 127.0.0.1, 0.0.0.0 or ::1)";
        text = host->address;  // what the server and the live view bind
        return "";
    },
    "ADDRESS");

namespace fs = std::filesystem;

int said(std::string_view who, const std::string& why, int code) {
    std::cerr << who << ": " << printable(why, true) << '\n';
    return code;
}

namespace {

// What CLI11 would read `text` as, when that is NaN or an infinity: "--rate: 'nan' is not a
// finite number". (Anything else passes on, to the option's own conversion and range.)
const CLI::Validator finite_number(
    [](std::string& text) -> std::string {
        double value = 0;
        if (CLI::detail::lexical_cast(text, value) && !std::isfinite(value))
            return "'" + text.substr(0, 40) + "' is not a finite number";
        return "";
    },
    "");

// The scenario file by name (or a .toml file), as it is written.
std::optional<Scenario> scenario_named(const std::string& name) {
    try {
        if (name.ends_with(".toml")) return load_scenario(name);
        std::vector<std::string> known;
        for (const fs::path& file : scenario_files(scenario_dir())) {
            if (file.stem() == name) return load_scenario(file);
            known.push_back(file.stem().string());
        }
        std::cerr << "lab: unknown scenario '" << name << "'";
        if (!known.empty()) std::cerr << "; did you mean '" << closest_name(name, known) << "'?";
        std::cerr << "\nscenarios in " << scenario_dir().string() << ":";
        for (const auto& k : known) std::cerr << ' ' << k;
        std::cerr << '\n';
    } catch (const ScenarioError& e) { said("lab: bad scenario file", e.what()); }
    return std::nullopt;
}

// "(requests.csv: 41.3 MB)" when every request a run keeps adds up to much (a long `lab load -z`).
std::string kept_size(const fs::path& csv) {
    std::error_code ec;
    auto bytes = fs::file_size(csv, ec);
    if (ec || bytes < 1'000'000) return "";
    return " (requests.csv: " + fixed(static_cast<double>(bytes) / 1e6, 1) + " MB)";
}

}  // namespace

void refuse_non_finite_numbers(CLI::App& app) {
    for (CLI::Option* option : app.get_options())
        if (option->get_type_name().starts_with("FLOAT")) option->check(finite_number);
    for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
        refuse_non_finite_numbers(*sub);
}

std::optional<Scenario> find_scenario(const std::string& name, const Overrides& overrides,
                                      const char* who) {
    auto found = scenario_named(name);
    try {
        if (found) return apply(*found, overrides);
    } catch (const std::invalid_argument& e) { said(who, e.what()); }
    return std::nullopt;
}

std::string refused_target(const TargetUrl& target, bool allow_remote) {
    if (!target.error.empty() || target.loopback || allow_remote) return target.error;
    return target.host +
           " is not on this machine; load goes to loopback only unless you pass --allow-remote";
}

// A numeric option that takes one value, or a list that sweeps it ("--threads 10,40,100"); only
// one option may take a list.
// (One word on the command line, split here: an option that took several words would swallow
// the scenario's name in `lab run --threads 10 thread-pool`.)
void sweepable(CLI::App& app, Overrides& overrides, const char* name, std::optional<int>& single,
               const char* what) {
    const SweepOption& option = *find_sweep_option(name + 2);
    const std::string flag = name;
    app.add_option_function<std::string>(
           name,
           [&overrides, &single, &option, flag](const std::string& text) {
               std::vector<int> values;
               std::size_t at = 0;
               do {
                   std::size_t comma = std::min(text.find(',', at), text.size());
                   std::string one = text.substr(at, comma - at);
                   int value = 0;
                   auto [end, ec] = std::from_chars(one.data(), one.data() + one.size(), value);
                   if (one.empty() || ec != std::errc() || end != one.data() + one.size())
                       throw CLI::ValidationError(
                           flag, "'" + one + "' is not a whole number (a list is 1,2,5)");
                   if (value < option.low || value > option.high)
                       throw CLI::ValidationError(flag, std::to_string(value) + " is not in [" +
                                                            std::to_string(option.low) + " - " +
                                                            std::to_string(option.high) + "]");
                   values.push_back(value);
                   at = comma + 1;
               } while (at <= text.size());
               if (values.size() == 1) {
                   single = values.front();
                   return;
               }
               if (overrides.sweep)
                   throw CLI::ValidationError(flag, "a run sweeps one option; --" +
                                                        overrides.sweep->option +
                                                        " already takes a list");
               overrides.sweep = Sweep{option.name, values};
           },
           std::string(what) + "; a list (1,2,5) sweeps it")
        ->type_name("INT[,INT...]");
}

void declare_twins(CLI::App& app, TwinOptions& twins, const std::string& with_fastapi_help) {
    app.add_flag("--with-fastapi", twins.with_fastapi, with_fastapi_help);
    app.add_flag("--uvloop", twins.uvloop,
                 "--with-fastapi: the twins run on uvloop (python3-uvloop), not asyncio's loop")
        ->needs("--with-fastapi");
    app.add_option("--asgi-server", twins.asgi_server,
                   "--with-fastapi: the ASGI server of the single-process twins (worker rows stay "
                   "gunicorn's)")
        ->check(CLI::IsMember(asgi_servers))
        ->needs("--with-fastapi")
        ->capture_default_str();
}

Scenario twinned(Scenario scenario, const TwinOptions& twins) {
    if (!twins.with_fastapi) return scenario;
    return with_fastapi(std::move(scenario), twins.uvloop, *named<TwinServer>(twins.asgi_server));
}

void declare_overrides(CLI::App& app, Overrides& overrides) {
    sweepable(app, overrides, "--requests", overrides.requests, "Requests per batch, N");
    sweepable(app, overrides, "--concurrency", overrides.concurrency, "Connections at once, C");
    sweepable(app, overrides, "--delay", overrides.delay_ms, "Each request's wait d, in ms");
    app.add_option("--repeat", overrides.repeat, "Measured batches, after one warm-up")
        ->check(CLI::Range(1, 100));
    sweepable(app, overrides, "--threads", overrides.threads, "thread-pool size T");
    sweepable(app, overrides, "--workers", overrides.workers, "multi-process workers W");
    one_of<Balance>(app.add_option("--balance", overrides.balance,
                                   "multi-process: how workers share the port"));
    app.add_option("--only", overrides.only,
                   "Run one configuration: its label, or its number from 1 (see `lab show`)");
    sweepable(app, overrides, "--db-pool", overrides.db_pool,
              "/db: connections to PostgreSQL per server process, P");
    app.add_option(
        "--database-url", overrides.database_url,
        "/db: query this PostgreSQL (postgresql://...) instead of a cluster of the lab's own");
    app.add_option(
        "--redis-url", overrides.redis_url,
        "/cache: ask this Redis (unix:///PATH or redis://IP:PORT) instead of one of the lab's own");
    app.add_option("--downstream-url", overrides.downstream_url,
                   "/fetch: call this server's /delay (http://IP:PORT) instead of a lab serve of "
                   "the lab's own");
}

CLI::Option* LiveOptions::declare_live(CLI::App& app, const std::string& bar) {
    CLI::Option* flag = app.add_flag(
        "--live", live,
        "Serve a live view on 127.0.0.1, or --live-host (its URL printed first): each request a "
        "bar " +
            bar);
    app.add_option("--live-port", live_port, "--live: the page's port (0: a free one)")
        ->capture_default_str();
    app.add_option("--live-host", live_host,
                   "--live: the address the page listens on (0.0.0.0 in a container, for the "
                   "host's browser)")
        ->transform(listen_address)
        ->needs(flag)
        ->capture_default_str();
    return flag;
}

void declare_wide(CLI::App& app, bool& wide) {
    app.add_flag("--wide", wide, "Every column and whole labels, however wide the terminal");
}

bool folder_written(const char* who, const std::function<fs::path()>& write) {
    try {
        const fs::path dir = write();
        std::cerr << "results: " << printable(dir.string()) << kept_size(dir / "requests.csv")
                  << "\nreport:  " << printable((dir / "report.html").string()) << '\n';
        return true;
    } catch (const std::exception& e) {
        said(std::string(who) + ": could not write results", e.what());
        return false;
    }
}

bool results_writable(const char* command, const std::filesystem::path& out,
                      const std::string& scenario_name) {
    try {
        check_results_writable(out, scenario_name);
        return true;
    } catch (const ResultsUnwritable& e) {
        std::cerr << command << ": " << e.what() << " (choose another --out; nothing was run)\n";
        return false;
    }
}

}  // namespace lab
