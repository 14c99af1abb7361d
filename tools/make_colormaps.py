"""Write the colour maps other programs draw that the ``cmap`` catalogue lacks.

    python tools/make_colormaps.py [--out PATH]

Needs numpy and plotly (plotly's scales are read from the installed package,
so the file follows the plotly version installed); the other maps' colours
are written below as their programs publish them. The output,
``src/napari_heatmap_digitizer/data/colormaps_extra.json``, is committed: the
package reads it and never needs this tool or plotly.

Each map is a list of colour stops interpolated linearly in sRGB, as the
programs do: ``colors`` is one hex string (six digits a stop), ``positions``
the stops' places from 0 to 1 (absent: evenly spaced). ``listed`` maps are
MATLAB's tables of equal bands: stop ``i`` of ``n`` sits at the centre of its
band, ``(i + 0.5) / n``. ``"space": "lab"`` marks maps whose program
interpolates evenly spaced stops in CIELAB (ggplot2's, through
``scales::gradient_n_pal``); the package expands them to the exact ramp.
``per_value`` marks maps whose program colours each datum through the ramp
itself, with no table of levels between (ggplot2's, Vega's): a bar matching
one is read through the map.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "napari_heatmap_digitizer" / "data" / "colormaps_extra.json"

# ---------------------------------------------------------------------------
# Published colours

# MATLAB parula (R2017a and later), 256 entries, low end first.
PARULA = (
    "0.2422 0.1504 0.6603; 0.2444 0.1534 0.6728; 0.2464 0.1569 0.6847; 0.2484 0.1607 "
    "0.6961; 0.2503 0.1648 0.7071; 0.2522 0.1689 0.7179; 0.2540 0.1732 0.7286; 0.2558 "
    "0.1773 0.7393; 0.2576 0.1814 0.7501; 0.2594 0.1854 0.7610; 0.2611 0.1893 0.7719; "
    "0.2628 0.1932 0.7828; 0.2645 0.1972 0.7937; 0.2661 0.2011 0.8043; 0.2676 0.2052 "
    "0.8148; 0.2691 0.2094 0.8249; 0.2704 0.2138 0.8346; 0.2717 0.2184 0.8439; 0.2729 "
    "0.2231 0.8528; 0.2740 0.2280 0.8612; 0.2749 0.2330 0.8692; 0.2758 0.2382 0.8767; "
    "0.2766 0.2435 0.8840; 0.2774 0.2489 0.8908; 0.2781 0.2543 0.8973; 0.2788 0.2598 "
    "0.9035; 0.2794 0.2653 0.9094; 0.2798 0.2708 0.9150; 0.2802 0.2764 0.9204; 0.2806 "
    "0.2819 0.9255; 0.2809 0.2875 0.9305; 0.2811 0.2930 0.9352; 0.2813 0.2985 0.9397; "
    "0.2814 0.3040 0.9441; 0.2814 0.3095 0.9483; 0.2813 0.3150 0.9524; 0.2811 0.3204 "
    "0.9563; 0.2809 0.3259 0.9600; 0.2807 0.3313 0.9636; 0.2803 0.3367 0.9670; 0.2798 "
    "0.3421 0.9702; 0.2791 0.3475 0.9733; 0.2784 0.3529 0.9763; 0.2776 0.3583 0.9791; "
    "0.2766 0.3638 0.9817; 0.2754 0.3693 0.9840; 0.2741 0.3748 0.9862; 0.2726 0.3804 "
    "0.9881; 0.2710 0.3860 0.9898; 0.2691 0.3916 0.9912; 0.2670 0.3973 0.9924; 0.2647 "
    "0.4030 0.9935; 0.2621 0.4088 0.9946; 0.2591 0.4145 0.9955; 0.2556 0.4203 0.9965; "
    "0.2517 0.4261 0.9974; 0.2473 0.4319 0.9983; 0.2424 0.4378 0.9991; 0.2369 0.4437 "
    "0.9996; 0.2311 0.4497 0.9995; 0.2250 0.4559 0.9985; 0.2189 0.4620 0.9968; 0.2128 "
    "0.4682 0.9948; 0.2066 0.4743 0.9926; 0.2006 0.4803 0.9906; 0.1950 0.4861 0.9887; "
    "0.1903 0.4919 0.9867; 0.1869 0.4975 0.9844; 0.1847 0.5030 0.9819; 0.1831 0.5084 "
    "0.9793; 0.1818 0.5138 0.9766; 0.1806 0.5191 0.9738; 0.1795 0.5244 0.9709; 0.1785 "
    "0.5296 0.9677; 0.1778 0.5349 0.9641; 0.1773 0.5401 0.9602; 0.1768 0.5452 0.9560; "
    "0.1764 0.5504 0.9516; 0.1755 0.5554 0.9473; 0.1740 0.5605 0.9432; 0.1716 0.5655 "
    "0.9393; 0.1686 0.5705 0.9357; 0.1649 0.5755 0.9323; 0.1610 0.5805 0.9289; 0.1573 "
    "0.5854 0.9254; 0.1540 0.5902 0.9218; 0.1513 0.5950 0.9182; 0.1492 0.5997 0.9147; "
    "0.1475 0.6043 0.9113; 0.1461 0.6089 0.9080; 0.1446 0.6135 0.9050; 0.1429 0.6180 "
    "0.9022; 0.1408 0.6226 0.8998; 0.1383 0.6272 0.8975; 0.1354 0.6317 0.8953; 0.1321 "
    "0.6363 0.8932; 0.1288 0.6408 0.8910; 0.1253 0.6453 0.8887; 0.1219 0.6497 0.8862; "
    "0.1185 0.6541 0.8834; 0.1152 0.6584 0.8804; 0.1119 0.6627 0.8770; 0.1085 0.6669 "
    "0.8734; 0.1048 0.6710 0.8695; 0.1009 0.6750 0.8653; 0.0964 0.6789 0.8609; 0.0914 "
    "0.6828 0.8562; 0.0855 0.6865 0.8513; 0.0789 0.6902 0.8462; 0.0713 0.6938 0.8409; "
    "0.0628 0.6972 0.8355; 0.0535 0.7006 0.8299; 0.0433 0.7039 0.8242; 0.0328 0.7071 "
    "0.8183; 0.0234 0.7103 0.8124; 0.0155 0.7133 0.8064; 0.0091 0.7163 0.8003; 0.0046 "
    "0.7192 0.7941; 0.0019 0.7220 0.7878; 0.0009 0.7248 0.7815; 0.0018 0.7275 0.7752; "
    "0.0046 0.7301 0.7688; 0.0094 0.7327 0.7623; 0.0162 0.7352 0.7558; 0.0253 0.7376 "
    "0.7492; 0.0369 0.7400 0.7426; 0.0504 0.7423 0.7359; 0.0638 0.7446 0.7292; 0.0770 "
    "0.7468 0.7224; 0.0899 0.7489 0.7156; 0.1023 0.7510 0.7088; 0.1141 0.7531 0.7019; "
    "0.1252 0.7552 0.6950; 0.1354 0.7572 0.6881; 0.1448 0.7593 0.6812; 0.1532 0.7614 "
    "0.6741; 0.1609 0.7635 0.6671; 0.1678 0.7656 0.6599; 0.1741 0.7678 0.6527; 0.1799 "
    "0.7699 0.6454; 0.1853 0.7721 0.6379; 0.1905 0.7743 0.6303; 0.1954 0.7765 0.6225; "
    "0.2003 0.7787 0.6146; 0.2061 0.7808 0.6065; 0.2118 0.7828 0.5983; 0.2178 0.7849 "
    "0.5899; 0.2244 0.7869 0.5813; 0.2318 0.7887 0.5725; 0.2401 0.7905 0.5636; 0.2491 "
    "0.7922 0.5546; 0.2589 0.7937 0.5454; 0.2695 0.7951 0.5360; 0.2809 0.7964 0.5266; "
    "0.2929 0.7975 0.5170; 0.3052 0.7985 0.5074; 0.3176 0.7994 0.4975; 0.3301 0.8002 "
    "0.4876; 0.3424 0.8009 0.4774; 0.3548 0.8016 0.4669; 0.3671 0.8021 0.4563; 0.3795 "
    "0.8026 0.4454; 0.3921 0.8029 0.4344; 0.4050 0.8031 0.4233; 0.4184 0.8030 0.4122; "
    "0.4322 0.8028 0.4013; 0.4463 0.8024 0.3904; 0.4608 0.8018 0.3797; 0.4753 0.8011 "
    "0.3691; 0.4899 0.8002 0.3586; 0.5044 0.7993 0.3480; 0.5187 0.7982 0.3374; 0.5329 "
    "0.7970 0.3267; 0.5470 0.7957 0.3159; 0.5609 0.7943 0.3050; 0.5748 0.7929 0.2941; "
    "0.5886 0.7913 0.2833; 0.6024 0.7896 0.2726; 0.6161 0.7878 0.2622; 0.6297 0.7859 "
    "0.2521; 0.6433 0.7839 0.2423; 0.6567 0.7818 0.2329; 0.6701 0.7796 0.2239; 0.6833 "
    "0.7773 0.2155; 0.6963 0.7750 0.2075; 0.7091 0.7727 0.1998; 0.7218 0.7703 0.1924; "
    "0.7344 0.7679 0.1852; 0.7468 0.7654 0.1782; 0.7590 0.7629 0.1717; 0.7710 0.7604 "
    "0.1658; 0.7829 0.7579 0.1608; 0.7945 0.7554 0.1570; 0.8060 0.7529 0.1546; 0.8172 "
    "0.7505 0.1535; 0.8281 0.7481 0.1536; 0.8389 0.7457 0.1546; 0.8495 0.7435 0.1564; "
    "0.8600 0.7413 0.1587; 0.8703 0.7392 0.1615; 0.8804 0.7372 0.1650; 0.8903 0.7353 "
    "0.1695; 0.9000 0.7336 0.1749; 0.9093 0.7321 0.1815; 0.9184 0.7308 0.1890; 0.9272 "
    "0.7298 0.1973; 0.9357 0.7290 0.2061; 0.9440 0.7285 0.2151; 0.9523 0.7284 0.2237; "
    "0.9606 0.7285 0.2312; 0.9689 0.7292 0.2373; 0.9770 0.7304 0.2418; 0.9842 0.7330 "
    "0.2446; 0.9900 0.7365 0.2429; 0.9946 0.7407 0.2394; 0.9966 0.7458 0.2351; 0.9971 "
    "0.7513 0.2309; 0.9972 0.7569 0.2267; 0.9971 0.7626 0.2224; 0.9969 0.7683 0.2181; "
    "0.9966 0.7740 0.2138; 0.9962 0.7798 0.2095; 0.9957 0.7856 0.2053; 0.9949 0.7915 "
    "0.2012; 0.9938 0.7974 0.1974; 0.9923 0.8034 0.1939; 0.9906 0.8095 0.1906; 0.9885 "
    "0.8156 0.1875; 0.9861 0.8218 0.1846; 0.9835 0.8280 0.1817; 0.9807 0.8342 0.1787; "
    "0.9778 0.8404 0.1757; 0.9748 0.8467 0.1726; 0.9720 0.8529 0.1695; 0.9694 0.8591 "
    "0.1665; 0.9671 0.8654 0.1636; 0.9651 0.8716 0.1608; 0.9634 0.8778 0.1582; 0.9619 "
    "0.8840 0.1557; 0.9608 0.8902 0.1532; 0.9601 0.8963 0.1507; 0.9596 0.9023 0.1480; "
    "0.9595 0.9084 0.1450; 0.9597 0.9143 0.1418; 0.9601 0.9203 0.1382; 0.9608 0.9262 "
    "0.1344; 0.9618 0.9320 0.1304; 0.9629 0.9379 0.1261; 0.9642 0.9437 0.1216; 0.9657 "
    "0.9494 0.1168; 0.9674 0.9552 0.1116; 0.9692 0.9609 0.1061; 0.9711 0.9667 0.1001; "
    "0.9730 0.9724 0.0938; 0.9749 0.9782 0.0872; 0.9769 0.9839 0.0805"
)

# MATLAB parula of R2014b to R2016b, 64 entries.
PARULA_2014 = (
    "0.2081 0.1663 0.5292; 0.2116 0.1898 0.5777; 0.2123 0.2138 0.6270; 0.2081 0.2386 "
    "0.6771; 0.1959 0.2645 0.7279; 0.1707 0.2919 0.7792; 0.1253 0.3242 0.8303; 0.0591 "
    "0.3598 0.8683; 0.0117 0.3875 0.8820; 0.0060 0.4086 0.8828; 0.0165 0.4266 0.8786; "
    "0.0329 0.4430 0.8720; 0.0498 0.4586 0.8641; 0.0629 0.4737 0.8554; 0.0723 0.4887 "
    "0.8467; 0.0779 0.5040 0.8384; 0.0793 0.5200 0.8312; 0.0749 0.5375 0.8263; 0.0641 "
    "0.5570 0.8240; 0.0488 0.5772 0.8228; 0.0343 0.5966 0.8199; 0.0265 0.6137 0.8135; "
    "0.0239 0.6287 0.8038; 0.0231 0.6418 0.7913; 0.0228 0.6535 0.7768; 0.0267 0.6642 "
    "0.7607; 0.0384 0.6743 0.7436; 0.0590 0.6838 0.7254; 0.0843 0.6928 0.7062; 0.1133 "
    "0.7015 0.6859; 0.1453 0.7098 0.6646; 0.1801 0.7177 0.6424; 0.2178 0.7250 0.6193; "
    "0.2586 0.7317 0.5954; 0.3022 0.7376 0.5712; 0.3482 0.7424 0.5473; 0.3953 0.7459 "
    "0.5244; 0.4420 0.7481 0.5033; 0.4871 0.7491 0.4840; 0.5300 0.7491 0.4661; 0.5709 "
    "0.7485 0.4494; 0.6099 0.7473 0.4337; 0.6473 0.7456 0.4188; 0.6834 0.7435 0.4044; "
    "0.7184 0.7411 0.3905; 0.7525 0.7384 0.3768; 0.7858 0.7356 0.3633; 0.8185 0.7327 "
    "0.3498; 0.8507 0.7299 0.3360; 0.8824 0.7274 0.3217; 0.9139 0.7258 0.3063; 0.9450 "
    "0.7261 0.2886; 0.9739 0.7314 0.2666; 0.9938 0.7455 0.2403; 0.9990 0.7653 0.2164; "
    "0.9955 0.7861 0.1967; 0.9880 0.8066 0.1794; 0.9789 0.8271 0.1633; 0.9697 0.8481 "
    "0.1475; 0.9626 0.8705 0.1309; 0.9589 0.8949 0.1132; 0.9598 0.9218 0.0948; 0.9661 "
    "0.9514 0.0755; 0.9763 0.9831 0.0538"
)

# Vega's continuous schemes (vega-scale), colour samples low end first.
VEGA = {
    "blues": "cfe1f2bed8eca8cee58fc1de74b2d75ba3cf4592c63181bd206fb2125ca40a4a90",
    "greens": "d3eecdc0e6baabdda594d3917bc77d60ba6c46ab5e329a512089430e7735036429",
    "greys": "e2e2e2d4d4d4c4c4c4b1b1b19d9d9d8888887575756262624d4d4d3535351e1e1e",
    "oranges": "fdd8b3fdc998fdb87bfda55efc9244f87f2cf06b18e4580bd14904b93d029f3303",
    "purples": "e2e1efd4d4e8c4c5e0b4b3d6a3a0cc928ec3827cb97566ae684ea25c3696501f8c",
    "reds": "fdc9b4fcb49afc9e80fc8767fa7051f6573fec3f2fdc2a25c81b1db21218970b13",
    "bluegreen": "d5efedc1e8e0a7ddd18bd2be70c6a958ba9144ad77319c5d2089460e7736036429",
    "bluepurple": "ccddecbad0e4a8c2dd9ab0d4919cc98d85be8b6db28a55a6873c99822287730f71",
    "greenblue": "d3eecec5e8c3b1e1bb9bd8bb82cec269c2ca51b2cd3c9fc7288abd1675b10b60a1",
    "orangered": "fddcaffdcf9bfdc18afdad77fb9562f67d53ee6545e24932d32d1ebf130da70403",
    "purpleblue": "dbdaebc8cee4b1c3de97b7d87bacd15b9fc93a90c01e7fb70b70ab056199045281",
    "purplebluegreen": (
        "dbd8eac8cee4b0c3de93b7d872acd1549fc83892bb1c88a3097f8702736b016353"
    ),
    "purplered": "dcc9e2d3b3d7ce9eccd186c0da6bb2e14da0e23189d91e6fc61159ab07498f023a",
    "redpurple": "fccfccfcbec0faa9b8f98faff571a5ec539ddb3695c41b8aa908808d0179700174",
    "yellowgreen": "e4f4acd1eca0b9e2949ed68880c97c62bb6e47aa5e3297502083440e723b036034",
    "yelloworangebrown": (
        "feeaa1fedd84fecc63feb746fca031f68921eb7215db5e0bc54c05ab3d038f3204"
    ),
    "yelloworangered": (
        "fee087fed16ffebd59fea849fd903efc7335f9522bee3423de1b20ca0b22af0225"
    ),
    "blueorange": "134b852f78b35da2cb9dcae1d2e5eff2f0ebfce0bafbbf74e8932fc5690d994a07",
    "brownbluegreen": (
        "704108a0651ac79548e3c78af3e6c6eef1eac9e9e48ed1c74da79e187a72025147"
    ),
    "purplegreen": "5b1667834792a67fb6c9aed3e6d6e8eff0efd9efd5aedda971bb75368e490e5e29",
    "purpleorange": (
        "4114696647968f83b7b9b4d6dadbebf3eeeafce0bafbbf74e8932fc5690d994a07"
    ),
    "redblue": "8c0d25bf363adf745ef4ae91fbdbc9f2efeed2e5ef9dcae15da2cb2f78b3134b85",
    "redgrey": "8c0d25bf363adf745ef4ae91fcdccbfaf4f1e2e2e2c0c0c0969696646464343434",
    "yellowgreenblue": (
        "eff9bddbf1b4bde5b594d5b969c5be45b4c22c9ec02182b82163aa23479c1c3185"
    ),
    "redyellowblue": (
        "a50026d4322cf16e43fcac64fedd90faf8c1dcf1ecabd6e875abd04a74b4313695"
    ),
    "redyellowgreen": (
        "a50026d4322cf16e43fcac63fedd8df9f7aed7ee8ea4d86e64bc6122964f006837"
    ),
    "pinkyellowgreen": (
        "8e0152c0267edd72adf0b3d6faddedf5f3efe1f2cab6de8780bb474f9125276419"
    ),
    "spectral": "9e0142d13c4bf0704afcac63fedd8dfbf8b0e0f3a1a9dda269bda94288b55e4fa2",
    "viridis": (
        "440154470e61481a6c482575472f7d443a834144873d4e8a39568c35608d31688e2d708e"
        "2a788e27818e23888e21918d1f988b1fa08822a8842ab07f35b77943bf7154c56866cc5d"
        "7ad1518fd744a5db36bcdf27d2e21be9e51afde725"
    ),
    "magma": (
        "0000040404130b0924150e3720114b2c11603b0f704a107957157e651a80721f817f2482"
        "8c29819a2e80a8327db6377ac43c75d1426fde4968e95462f1605df76f5cfa7f5efc8f65"
        "fe9f6dfeaf78febf84fece91fddea0fcedaffcfdbf"
    ),
    "inferno": (
        "0000040403130c0826170c3b240c4f330a5f420a68500d6c5d126e6b176e781c6d86216b"
        "932667a12b62ae305cbb3755c73e4cd24644dd513ae65c30ed6925f3771af8850ffb9506"
        "fca50afcb519fac62df6d645f2e661f3f484fcffa4"
    ),
    "plasma": (
        "0d088723069033059742039d5002a25d01a66a00a87801a88405a7900da49c179ea72198"
        "b12a90ba3488c33d80cb4779d35171da5a69e16462e76e5bed7953f2834cf68f44fa9a3d"
        "fca636fdb32ffec029fcce25f9dc24f5ea27f0f921"
    ),
    "cividis": (
        "00205100235800265d002961012b65042e670831690d346b11366c16396d1c3c6e213f6e"
        "26426e2c456e31476e374a6e3c4d6e42506e47536d4c566d51586e555b6e5a5e6e5e616e"
        "62646f66676f6a6a706e6d717270717573727976737c79747f7c75827f75868276898577"
        "8c8877908b78938e789691789a94789e9778a19b78a59e77a9a177aea575b2a874b6ab73"
        "bbaf71c0b26fc5b66dc9b96acebd68d3c065d8c462ddc85fe2cb5ce7cf58ebd355f0d652"
        "f3da4ff7de4cfae249fce647"
    ),
    "rainbow": (
        "6e40aa883eb1a43db3bf3cafd83fa4ee4395fe4b83ff576eff6659ff7847ff8c38f3a130"
        "e2b72fcfcc36bee044aff05b8ff4576ff65b52f6673af27828ea8d1ddfa319d0b81cbecb"
        "23abd82f96e03d82e14c6edb5a5dd0664dbf6e40aa"
    ),
    "sinebow": (
        "ff4040fc582af47218e78d0bd5a703bfbf00a7d5038de70b72f41858fc2a40ff402afc58"
        "18f4720be78d03d5a700bfbf03a7d50b8de71872f42a58fc4040ff582afc7218f48d0be7"
        "a703d5bf00bfd503a7e70b8df41872fc2a58ff4040"
    ),
    "turbo": (
        "23171b32204a3e2a71453493493eae4b49c54a53d7485ee44569ee4074f53c7ff8378af9"
        "3295f72e9ff42ba9ef28b3e926bce125c5d925cdcf27d5c629dcbc2de3b232e9a738ee9d"
        "3ff39347f68950f9805afc7765fd6e70fe667cfd5e88fc5795fb51a1f84badf545b9f140"
        "c5ec3cd0e637dae034e4d931ecd12ef4c92bfac029ffb626ffad24ffa223ff9821ff8d1f"
        "ff821dff771cfd6c1af76118f05616e84b14df4111d5380fcb2f0dc0260ab61f07ac1805"
        "a313029b0f00950c00910b00"
    ),
    "browns": "eedbbdecca96e9b97ae4a865dc9856d18954c7784cc0673fb85536ad44339f3632",
    "tealblues": "bce4d89dd3d181c3cb65b3c245a2b9368fae347da0306a932c5985",
    "teals": "bbdfdfa2d4d58ac9c975bcbb61b0af4da5a43799982b8b8c1e7f7f127273006667",
    "warmgreys": "dcd4d0cec5c1c0b8b4b3aaa7a59c9998908c8b827f7e7673726866665c5a59504e",
    "goldgreen": "f4d166d5ca60b6c35c98bb597cb25760a6564b9c533f8f4f33834a257740146c36",
    "goldorange": "f4d166f8be5cf8aa4cf5983bf3852aef701be2621fd65322c54923b142239e3a26",
    "goldred": "f4d166f6be59f9aa51fc964ef6834bee734ae56249db5247cf4244c43141b71d3e",
    "lightgreyred": "efe9e6e1dad7d5cbc8c8bdb9bbaea9cd967ddc7b43e15f19df4011dc000b",
    "lightgreyteal": "e4eaead6dcddc8ced2b7c2c7a6b4bc64b0bf22a6c32295c11f85be1876bc",
    "lightmulti": "e0f1f2c4e9d0b0de9fd0e181f6e072f6c053f3993ef77440ef4a3c",
    "lightorange": "f2e7daf7d5baf9c499fab184fa9c73f68967ef7860e8645bde515bd43d5b",
    "lighttealblue": "e3e9e0c0dccf9aceca7abfc859afc0389fb9328dad2f7ca0276b95255988",
    "darkblue": "3232322d46681a5c930074af008cbf05a7ce25c0dd38daed50f3faffffff",
    "darkgold": "3c3c3c584b37725e348c7631ae8b2bcfa424ecc31ef9de30fff184ffffff",
    "darkgreen": "3a3a3a215748006f4d048942489e4276b340a6c63dd2d836ffeb2cffffaa",
    "darkmulti": "3737371f5287197d8c29a86995ce3fffe800ffffff",
    "darkred": "3434347036339e3c38cc4037e75d1eec8620eeab29f0ce32ffeb2c",
}


# ---------------------------------------------------------------------------
# Colour arithmetic


# viridisLite's options (ggplot2's scale_*_viridis_c), six colours each.
VIRIDIS_LITE_6 = {
    "magma": "0000043B0F708C2981DE4968FE9F6DFCFDBF",
    "inferno": "000004420A68932667DD513AFCA50AFCFFA4",
    "plasma": "0D08876A00A8B12A90E16462FCA636F0F921",
    "viridis": "4401544144872A788E22A8847AD151FDE725",
    "cividis": "00204D31446B666970958F78CBBA69FFEA46",
    "rocket": "03051A4C1D4BA11A5BE83F3FF69C73FAEBDD",
    "mako": "0B0405382A54395D9C3497A960CEACDEF5E5",
    "turbo": "30123B3E9BFE46F884E1DD37F05B127A0403",
}

# ColorBrewer's sequential and diverging palettes, seven classes
# (ggplot2's scale_*_distiller).
BREWER_7 = {
    "BrBG": "8C510AD8B365F6E8C3F5F5F5C7EAE55AB4AC01665E",
    "PiYG": "C51B7DE9A3C9FDE0EFF7F7F7E6F5D0A1D76A4D9221",
    "PRGn": "762A83AF8DC3E7D4E8F7F7F7D9F0D37FBF7B1B7837",
    "PuOr": "B35806F1A340FEE0B6F7F7F7D8DAEB998EC3542788",
    "RdBu": "B2182BEF8A62FDDBC7F7F7F7D1E5F067A9CF2166AC",
    "RdGy": "B2182BEF8A62FDDBC7FFFFFFE0E0E09999994D4D4D",
    "RdYlBu": "D73027FC8D59FEE090FFFFBFE0F3F891BFDB4575B4",
    "RdYlGn": "D73027FC8D59FEE08BFFFFBFD9EF8B91CF601A9850",
    "Spectral": "D53E4FFC8D59FEE08BFFFFBFE6F59899D5943288BD",
    "Blues": "EFF3FFC6DBEF9ECAE16BAED64292C62171B5084594",
    "BuGn": "EDF8FBCCECE699D8C966C2A441AE76238B45005824",
    "BuPu": "EDF8FBBFD3E69EBCDA8C96C68C6BB188419D6E016B",
    "GnBu": "F0F9E8CCEBC5A8DDB57BCCC44EB3D32B8CBE08589E",
    "Greens": "EDF8E9C7E9C0A1D99B74C47641AB5D238B45005A32",
    "Greys": "F7F7F7D9D9D9BDBDBD969696737373525252252525",
    "Oranges": "FEEDDEFDD0A2FDAE6BFD8D3CF16913D948018C2D04",
    "OrRd": "FEF0D9FDD49EFDBB84FC8D59EF6548D7301F990000",
    "PuBu": "F1EEF6D0D1E6A6BDDB74A9CF3690C00570B0034E7B",
    "PuBuGn": "F6EFF7D0D1E6A6BDDB67A9CF3690C002818A016450",
    "PuRd": "F1EEF6D4B9DAC994C7DF65B0E7298ACE125691003F",
    "Purples": "F2F0F7DADAEBBCBDDC9E9AC8807DBA6A51A34A1486",
    "RdPu": "FEEBE2FCC5C0FA9FB5F768A1DD3497AE017E7A0177",
    "Reds": "FEE5D9FCBBA1FC9272FB6A4AEF3B2CCB181D99000D",
    "YlGn": "FFFFCCD9F0A3ADDD8E78C67941AB5D238443005A32",
    "YlGnBu": "FFFFCCC7E9B47FCDBB41B6C41D91C0225EA80C2C84",
    "YlOrBr": "FFFFD4FEE391FEC44FFE9929EC7014CC4C028C2D04",
    "YlOrRd": "FFFFB2FED976FEB24CFD8D3CFC4E2AE31A1CB10026",
}


def hex_string(rgb: np.ndarray) -> str:
    """``(n, 3)`` colours 0-1 as one string of six hex digits a colour."""
    u8 = np.rint(np.clip(np.asarray(rgb, dtype=float), 0.0, 1.0) * 255).astype(int)
    return "".join(f"{r:02x}{g:02x}{b:02x}" for r, g, b in u8)


def from_hex(text: str) -> np.ndarray:
    """``(n, 3)`` colours 0-1 from a string of six hex digits a colour."""
    text = text.replace("#", "")
    return (
        np.array(
            [
                [int(text[i + k : i + k + 2], 16) for k in (0, 2, 4)]
                for i in range(0, len(text), 6)
            ]
        )
        / 255.0
    )


def triples(text: str) -> np.ndarray:
    """``(n, 3)`` colours from ``"r g b; r g b; ..."``."""
    return np.array([row.split() for row in text.split(";")], dtype=float)


# ---------------------------------------------------------------------------
# MATLAB


def matlab_jet(m: int) -> np.ndarray:
    """MATLAB's ``jet(m)``: ramps a quarter of the table long, offset by channel."""
    n = -(-m // 4)
    ramp = np.concatenate(
        [np.arange(1, n + 1) / n, np.ones(n - 1), np.arange(n, 0, -1) / n]
    )
    green = (-(-n // 2)) - int(m % 4 == 1) + np.arange(1, len(ramp) + 1)
    red, blue = green + n, green - n
    green, red, blue = green[green <= m], red[red <= m], blue[blue >= 1]
    out = np.zeros((m, 3))
    out[red - 1, 0] = ramp[: len(red)]
    out[green - 1, 1] = ramp[: len(green)]
    out[blue - 1, 2] = ramp[len(ramp) - len(blue) :]
    return out


def matlab_maps() -> dict[str, dict]:
    return {
        # parula since R2017a (and the default colormap, 256 entries since
        # R2019b)
        "matlab:parula": {"colors": hex_string(triples(PARULA)), "listed": True},
        # parula of R2014b to R2016b, 64 entries: darker blue at the low end
        "matlab:parula2014": {
            "colors": hex_string(triples(PARULA_2014)),
            "listed": True,
        },
        # jet(64), as MATLAB and Octave 7 draw it (matplotlib's jet, cmap's
        # "matlab:jet", has other breakpoints: up to 19 ΔE away)
        "matlab:jet64": {"colors": hex_string(matlab_jet(64)), "listed": True},
    }


# ---------------------------------------------------------------------------
# R


def _lab_entry(stops: str) -> dict:
    return {"colors": stops.lower(), "space": "lab", "per_value": True}


def r_maps() -> dict[str, dict]:
    lab = {
        # scale_colour_gradient / scale_fill_gradient's own colours
        "ggplot2:default": "132B4356B1F7",
        # scale_*_gradient2's own colours: muted red, white, muted blue
        "ggplot2:gradient2": "832424FFFFFF3A3A98",
    }
    return {
        **{name: _lab_entry(stops) for name, stops in lab.items()},
        # pheatmap's colours: ColorBrewer's 7-class RdYlBu reversed, in sRGB
        "pheatmap:default": {
            "colors": "4575b491bfdbe0f3f8ffffbffee090fc8d59d73027",
        },
    }


# ---------------------------------------------------------------------------
# plotly


def _plotly_color(text: str) -> np.ndarray:
    import plotly.colors as pc

    if text.startswith("#"):
        return from_hex(text)[0]
    r, g, b = pc.unlabel_rgb(text)[:3]
    return np.array([r, g, b]) / 255.0


def _plotly_map(scale: list) -> dict:
    if scale and isinstance(scale[0], (list, tuple)):
        positions = [float(p) for p, _ in scale]
        rgb = np.array([_plotly_color(c) for _, c in scale])
    else:
        positions = None
        rgb = np.array([_plotly_color(c) for c in scale])
    entry: dict = {"colors": hex_string(rgb)}
    if positions is not None and not np.allclose(
        positions, np.linspace(0.0, 1.0, len(positions))
    ):
        entry["positions"] = [round(p, 6) for p in positions]
    return entry


def plotly_maps() -> dict[str, dict]:
    """plotly.py's named scales, then plotly.js's own where they differ.

    ``colorscale="Jet"`` in plotly.py draws ``plotly.colors.sequential.Jet``
    (stops evenly spaced); plotly.js, used directly (Julia, JavaScript),
    draws its own built-in scales, some with other stops: those are written
    as ``plotlyjs:NAME``.
    """
    import plotly.colors as pc

    out: dict[str, dict] = {}
    for module in (pc.sequential, pc.diverging, pc.cyclical):
        for name in sorted(vars(module)):
            scale = getattr(module, name)
            if (
                name.startswith("_")
                or name.endswith("_r")
                or not isinstance(scale, list)
            ):
                continue
            out.setdefault(f"plotly:{name}", _plotly_map(scale))
    for name, scale in pc.PLOTLY_SCALES.items():
        entry = _plotly_map(scale)
        same = out.get(f"plotly:{name}")
        if same is None or _differs(same, entry):
            out[f"plotlyjs:{name}"] = entry
    return out


def sample(entry: dict, n: int = 256) -> np.ndarray:
    """``(n, 3)`` colours 0-1 of a written map."""
    rgb = from_hex(entry["colors"])
    k = len(rgb)
    if "positions" in entry:
        where = np.asarray(entry["positions"], dtype=float)
    elif entry.get("listed"):
        where = (np.arange(k) + 0.5) / k
    else:
        where = np.linspace(0.0, 1.0, k)
    t = np.linspace(0.0, 1.0, n)
    return np.stack([np.interp(t, where, rgb[:, c]) for c in range(3)], axis=1)


def _differs(a: dict, b: dict) -> bool:
    return bool(np.abs(sample(a) - sample(b)).max() > 2 / 255)


# ---------------------------------------------------------------------------
# Vega


def vega_maps() -> dict[str, dict]:
    """Vega's continuous schemes: its colour samples, interpolated in sRGB."""
    return {
        f"vega:{name}": {"colors": colors, "per_value": True}
        for name, colors in VEGA.items()
    }


def ggplot2_maps() -> dict[str, dict]:
    """ggplot2's versions of other maps, interpolated in CIELAB.

    Written last: naming a bar prefers the maps before them, which these
    approximate.
    """
    # scale_*_viridis_c: six colours of viridisLite's option
    lab = {f"ggplot2:{k}": v for k, v in VIRIDIS_LITE_6.items()}
    # scale_*_distiller: seven colours of the ColorBrewer palette (drawn
    # reversed by default: the map's "_r")
    lab.update({f"ggplot2:{k}": v for k, v in BREWER_7.items()})
    return {name: _lab_entry(stops) for name, stops in lab.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="the file to write")
    args = parser.parse_args(argv)
    import plotly

    maps = {
        **matlab_maps(),
        **r_maps(),
        **plotly_maps(),
        **vega_maps(),
        **ggplot2_maps(),
    }
    doc = {
        "about": (
            "Colour maps of MATLAB, R (ggplot2, pheatmap), plotly "
            f"{plotly.__version__} and Vega: stops interpolated linearly in "
            "sRGB; 'positions' 0-1 (default evenly spaced); 'listed' tables "
            "of equal bands, stop i of n at (i + 0.5) / n; 'space': 'lab', "
            "evenly spaced stops interpolated in CIELAB; 'per_value', a "
            "program colouring each datum through the ramp itself. Written by "
            "tools/make_colormaps.py."
        ),
        "maps": maps,
    }
    text = json.dumps(doc, indent=0, separators=(",", ":"))
    args.out.write_text(text + "\n")
    print(f"{len(maps)} maps, {len(text) / 1024:.0f} KiB: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
