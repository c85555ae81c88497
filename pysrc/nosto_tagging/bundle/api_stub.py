"""Stand-in for ``nosto_tagging.core.api.loader_table()`` until the API table lands.

The same shape, written from the loader's kind tables. Remove once ``core/api.py`` exists.
"""

from __future__ import annotations

from typing import Any


def _kinds(**groups: str) -> dict[str, str]:
    return {name: kind for kind, names in groups.items() for name in names.split()}


_PROMISING = (
    "load loadRecommendations pageTaggingAsync loadCartPopupRecommendations "
    "getSearchSessionParams search recordSearch recordSearchClick recordSearchAddToCart "
    "recordSearchSubmit"
)
_UNSUPPORTED = (
    "setTaggingProvider setRecommendationsEnabled captureError experiments popupCampaigns "
    "reloadOverlay openPopup enablePopup disablePopup resendCartTagging resendCustomerTagging "
    "sendTagging addSegmentCodeToVisit addAffinitySignals removeCampaigns showPlacementPreviews "
    "install attributeProductClicksInCampaign visit.setStore "
    "visit.setCustomerIdentifierService"
)
_PAGE = (
    "defaultSession createSession isAutoLoad listen unlisten setResponseMode pageTagging "
    "visit.getCustomerId visit.isDoNotTrack visit.setDoNotTrack placements.getPlacements "
    "placements.injectCampaigns placements.removeContent placements.reset internal.ready "
    "internal.mirror internal.journal internal.outbox internal.getSettings"
)


def loader_table() -> dict[str, Any]:
    return {
        "api": _kinds(
            B="createRecommendationRequest",
            T="recordAttribution",
            V="setAutoLoad visit.setCustomerId",
            N="customer resendCartContent reportAddToCart recommendedProductAddedToCart",
            P=_PAGE,
            U=_UNSUPPORTED,
            UP=_PROMISING,
        ),
        "session": _kinds(
            S="setCart setCustomer setVariation setRestoreLink setResponseMode "
            "enableCampaignInjection disableCampaignInjection",
            A="viewFrontPage viewCart viewNotFound viewProduct viewProductSku viewCategory "
            "viewTag viewCustomField viewSearch viewOther addOrder reportAddToCart",
            T="recordAttribution",
        ),
        "action": _kinds(
            S="setRef setProduct setProducts setCart setCustomer setOrder setSearchTerms "
            "setBrands setCategories setCategoryIds setParentCategoryIds setTags "
            "setCustomFields setVariation setPlacements setRestoreLink setPageType addAffinity",
            D="dumpData",
            R="update load",
        ),
        "attribution": _kinds(S="recordAttribution", D="dumpData", N="done"),
        "builder": _kinds(
            S="setPageType setElements addElements setProducts setResponseMode "
            "setCurrentVariation addCurrentVariation setCurrentCategories addCurrentCategories "
            "setCurrentBrands addCurrentBrands setCurrentTags addCurrentTags setCartContent "
            "setCustomer addCustomer setRestoreLink setSortOrder setAffinitySignals addEvent "
            "disableCampaignInjection",
            D="getData",
            M="load loadRecommendations send",
        ),
        "private": {
            "session": ["setCustomer", "addOrder", "setRestoreLink"],
            "action": ["setCustomer", "setOrder", "setRestoreLink"],
            "builder": ["setCustomer", "addCustomer", "setRestoreLink"],
            "api": ["customer"],
        },
    }
