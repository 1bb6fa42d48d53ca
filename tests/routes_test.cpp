#include <catch2/catch.hpp>

#include "lab/server/routes.hpp"

using lab::Route;

TEST_CASE("delay takes ms within 0..60000 and defaults to 100", "[unit]") {
    CHECK(lab::route("GET", "/delay").amount == std::chrono::milliseconds(100));
    CHECK(lab::route("POST", "/delay?ms=0").kind == Route::Kind::delay);
    CHECK(lab::route("GET", "/delay?x=1&ms=60000").amount == std::chrono::milliseconds(60'000));
}

TEST_CASE("a bad ms is a 400 that says why", "[unit]") {
    for (const char* target : {"/delay?ms=abc", "/delay?ms=-1", "/delay?ms=60001", "/delay?ms=",
                               "/delay?ms=12abc", "/delay?ms=99999999999999999999"}) {
        INFO(target);
        Route r = lab::route("GET", target);
        CHECK(r.kind == Route::Kind::error);
        CHECK(r.status == 400);
        CHECK(r.error_body.find("ms must") != std::string::npos);
    }
}

TEST_CASE("unknown paths are 404, wrong methods 405 with Allow", "[unit]") {
    CHECK(lab::route("GET", "/nope").status == 404);
    Route r = lab::route("DELETE", "/delay");
    CHECK(r.status == 405);
    CHECK(r.allow == "GET, POST");
    CHECK(lab::route("POST", "/health").status == 405);
    CHECK(lab::route("GET", "/health").kind == Route::Kind::health);
    CHECK(lab::route("GET", "/").kind == Route::Kind::root);
}

TEST_CASE("/cpu is bounded like /delay; /stats takes GET and ?reset=1", "[unit]") {
    CHECK(lab::route("GET", "/cpu?ms=200").kind == Route::Kind::cpu);
    CHECK(lab::route("GET", "/cpu?ms=200").amount == std::chrono::milliseconds(200));
    CHECK(lab::route("GET", "/cpu?ms=60001").status == 400);
    CHECK(lab::route("GET", "/stats").kind == Route::Kind::stats);
    CHECK(lab::route("GET", "/stats?reset=1").reset);
    CHECK(lab::route("POST", "/stats").status == 405);
}
