# SPDX-License-Identifier: ISC
# Without a UCSPI-TLS wrapper STLS is neither listed nor accepted.
<< +OK *
>> STLS
<< -ERR STLS is not available here
>> QUIT
<< +OK *
