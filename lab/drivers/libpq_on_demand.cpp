// libpq, PostgreSQL's client library, opened the first time the lab calls it.
//
// Why: libpq brings Kerberos, LDAP, GnuTLS and OpenSSL with it, and loading them took every `lab`
// command about 3 ms at start-up (`lab --version` included), though only the lessons with a
// database use them. So `lab` is not linked with libpq. This file defines each libpq function the
// lab calls, under libpq's own declaration (libpq-fe.h: the compiler checks every signature). The
// first call opens libpq.so.5 with dlopen; each call is then handed to libpq's function of the same
// name. postgres.cpp and private_postgres.cpp call libpq as usual and cannot tell.
#include <dlfcn.h>

#include <stdexcept>
#include <string>

#include <libpq-fe.h>

namespace {

void* libpq_function(const char* name) {
    static void* const libpq = [] {
        void* opened = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
        if (!opened)
            throw std::runtime_error(std::string("cannot load PostgreSQL's client library: ") +
                                     dlerror());
        return opened;
    }();
    void* function = dlsym(libpq, name);
    if (!function) throw std::runtime_error(std::string("libpq.so.5 has no ") + name);
    return function;
}

}  // namespace

// The libpq function `name`, looked up once, called with `arguments`.
#define LAB_LIBPQ(name, ...)                                                           \
    static const auto real = reinterpret_cast<decltype(&name)>(libpq_function(#name)); \
    return real(__VA_ARGS__)

extern "C" {

PGconn* PQconnectdb(const char* conninfo) { LAB_LIBPQ(PQconnectdb, conninfo); }
PGPing PQping(const char* conninfo) { LAB_LIBPQ(PQping, conninfo); }
void PQfinish(PGconn* conn) { LAB_LIBPQ(PQfinish, conn); }
void PQreset(PGconn* conn) { LAB_LIBPQ(PQreset, conn); }
ConnStatusType PQstatus(const PGconn* conn) { LAB_LIBPQ(PQstatus, conn); }
PGTransactionStatusType PQtransactionStatus(const PGconn* conn) {
    LAB_LIBPQ(PQtransactionStatus, conn);
}
char* PQerrorMessage(const PGconn* conn) { LAB_LIBPQ(PQerrorMessage, conn); }
int PQsocket(const PGconn* conn) { LAB_LIBPQ(PQsocket, conn); }
int PQsetnonblocking(PGconn* conn, int arg) { LAB_LIBPQ(PQsetnonblocking, conn, arg); }

PGresult* PQexec(PGconn* conn, const char* query) { LAB_LIBPQ(PQexec, conn, query); }
int PQsendQueryParams(PGconn* conn, const char* command, int nParams, const Oid* paramTypes,
                      const char* const* paramValues, const int* paramLengths,
                      const int* paramFormats, int resultFormat) {
    LAB_LIBPQ(PQsendQueryParams, conn, command, nParams, paramTypes, paramValues, paramLengths,
              paramFormats, resultFormat);
}
int PQflush(PGconn* conn) { LAB_LIBPQ(PQflush, conn); }
int PQconsumeInput(PGconn* conn) { LAB_LIBPQ(PQconsumeInput, conn); }
int PQisBusy(PGconn* conn) { LAB_LIBPQ(PQisBusy, conn); }
PGresult* PQgetResult(PGconn* conn) { LAB_LIBPQ(PQgetResult, conn); }

ExecStatusType PQresultStatus(const PGresult* res) { LAB_LIBPQ(PQresultStatus, res); }
char* PQresultErrorMessage(const PGresult* res) { LAB_LIBPQ(PQresultErrorMessage, res); }
int PQntuples(const PGresult* res) { LAB_LIBPQ(PQntuples, res); }
int PQgetisnull(const PGresult* res, int tup_num, int field_num) {
    LAB_LIBPQ(PQgetisnull, res, tup_num, field_num);
}
char* PQgetvalue(const PGresult* res, int tup_num, int field_num) {
    LAB_LIBPQ(PQgetvalue, res, tup_num, field_num);
}
void PQclear(PGresult* res) { LAB_LIBPQ(PQclear, res); }

}  // extern "C"
